// Reads an iCalendar feed on stdin with ical.js (vendored, unchanged, in vendor/) and
// prints what a phone calendar would see, as JSON: the VTIMEZONEs the feed
// carries and, per VEVENT, its identity and its start and end as instants.
//
// The Python tests run `node read_feed.mjs`: a parser that shares no code with
// the `icalendar` library that writes the feed.
import ICAL from "./vendor/ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function moment(component, name) {
  const property = component.getFirstProperty(name);
  if (!property) {
    return { value: null, tzid: null, allDay: false };
  }
  const tzid = property.getParameter("tzid") || null;
  const time = property.getFirstValue();
  if (time.isDate) {
    // An all-day value is a calendar date, not an instant: print it as written.
    return { value: time.toString(), tzid, allDay: true };
  }
  if (tzid && (!time.zone || time.zone.tzid !== tzid)) {
    throw new Error(`${name} names TZID ${tzid}, but the feed has no VTIMEZONE for it`);
  }
  if (!tzid && time.zone !== ICAL.Timezone.utcTimezone) {
    throw new Error(`${name} is a floating time: a phone would read it in its own zone`);
  }
  return { value: time.toJSDate().toISOString(), tzid, allDay: false };
}

const text = await readStdin();
const calendar = new ICAL.Component(ICAL.parse(text));
const timezones = [];
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
  timezones.push(vtimezone.getFirstPropertyValue("tzid"));
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = moment(vevent, "dtstart");
  const end = moment(vevent, "dtend");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    status: vevent.getFirstPropertyValue("status"),
    has_dtstamp: vevent.hasProperty("dtstamp"),
    start: start.value,
    end: end.value,
    all_day: start.allDay,
    start_tzid: start.tzid,
    end_tzid: end.tzid,
    sequence: vevent.hasProperty("sequence") ? event.sequence : null,
  };
});
process.stdout.write(JSON.stringify({ timezones, events }, null, 2) + "\n");
