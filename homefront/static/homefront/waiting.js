// What waits on this phone to be sent: journal.js's queue in IndexedDB, read
// where the quick log is not open. Logging out with entries waiting says so
// and offers to send them first; a share link that no longer works shows its
// waiting entries as refused, with their text, so the caregiver can pass them
// on. An entry leaves the phone only once the server has it, or when the
// person says they passed it on.
"use strict";

// The page's words (templates/includes/waiting_words.html); English where a page has none.
function waitingWords(key, english, values) {
  const words = document.getElementById("waiting-words");
  let text = (words && words.dataset[key]) || english;
  for (const [name, value] of Object.entries(values || {})) text = text.split(`%(${name})s`).join(value);
  return text;
}

window.homefrontWaiting = (() => {
  // journal.js's queue, opened for each look (offline-queue.js).
  const { run } = window.homefrontQueue.glance("journal");
  const FINAL = new Set(["stored", "duplicate", "conflict", "invalid"]);

  async function all() {
    const records = (await run("readonly", (store) => store.getAll())) || [];
    return records.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  const forget = (uuids) =>
    run("readwrite", (store) => {
      for (const uuid of uuids) store.delete(uuid);
    });

  // Sends each log page's entries to its own sync address, as journal.js does;
  // resolves {left, problems}: the records still waiting, and why.
  async function send(records) {
    const bySyncUrl = new Map();
    for (const record of records) {
      if (!bySyncUrl.has(record.syncUrl)) bySyncUrl.set(record.syncUrl, []);
      bySyncUrl.get(record.syncUrl).push(record);
    }
    const left = [];
    const problems = new Set();
    for (const [syncUrl, group] of bySyncUrl) {
      let body = null;
      try {
        const response = await window.homefrontQueue.postEntries(syncUrl, group.map((record) => record.entry));
        body = await response.json().catch(() => null);
        if (!response.ok || !body || !Array.isArray(body.results)) {
          problems.add((body && body.error) || waitingWords("refused", "The server refused them (%(status)s).", { status: response.status }));
          left.push(...group);
          continue;
        }
      } catch (error) {
        problems.add(waitingWords("unreachable", "The server cannot be reached from here right now."));
        left.push(...group);
        continue;
      }
      const answered = new Map(body.results.map((result) => [String(result.uuid).toLowerCase(), result]));
      const done = [];
      for (const record of group) {
        const result = answered.get(record.uuid.toLowerCase());
        if (result && FINAL.has(result.status)) {
          done.push(record.uuid);
          if (result.status === "invalid" || result.status === "conflict") {
            problems.add(waitingWords("notLogged", "Not logged: %(entry)s. %(reasons)s", { entry: record.label, reasons: Object.values(result.errors || {}).join(" ") }));
          }
        } else {
          left.push(record);
        }
      }
      await forget(done);
    }
    return { left, problems: Array.from(problems) };
  }

  function describe(record) {
    const moment = new Date(record.entry.occurred_at);
    const day = moment.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
    const time = moment.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    const text = record.entry.text ? `: “${record.entry.text}”` : "";
    return `${day}, ${time} — ${record.label}${text}`;
  }

  function fillList(list, records) {
    list.replaceChildren(
      ...records.map((record) => {
        const item = document.createElement("li");
        item.textContent = describe(record);
        return item;
      }),
    );
  }

  // The box of refused entries (journal/_refused.html): each with its text, a
  // copy of them all to pass on, and a way to remove them once passed on.
  function showRefused(box, records, onForgotten) {
    if (!box) return;
    if (!records.length) {
      box.hidden = true;
      return;
    }
    fillList(box.querySelector("[data-list]"), records);
    box.querySelector("textarea").value = records.map(describe).join("\n");
    const remove = box.querySelector("[data-forget]");
    remove.onclick = async () => {
      await forget(records.map((record) => record.uuid));
      box.hidden = true;
      if (onForgotten) onForgotten();
    };
    box.hidden = false;
  }

  function forgetLinkPages(link) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-link", link });
    }
  }

  return { all, send, fillList, showRefused, forgetLinkPages };
})();

// -- Logging out --------------------------------------------------------------

(() => {
  const form = document.querySelector("form[data-logout]");
  const warning = document.getElementById("logout-waiting");
  if (!form || !warning) return;
  const waiting = window.homefrontWaiting;
  const count = warning.querySelector("[data-count]");
  const list = warning.querySelector("[data-list]");
  const outcome = warning.querySelector("[data-outcome]");
  const sendFirst = warning.querySelector("[data-send]");
  const anyway = warning.querySelector("[data-logout-anyway]");
  let confirmed = false;
  let shown = [];

  // A share link's entries need no sign-in: they go from its own page later.
  // Another member's wait for them (journal.js sends a member's only as theirs).
  const needsThisSignIn = (record) =>
    !String(record.syncUrl).startsWith("/s/") && (!record.member || record.member === form.dataset.member);

  function logOut() {
    confirmed = true;
    form.submit();
  }

  function show(records) {
    shown = records;
    const n = records.length;
    count.textContent = n === 1
      ? waitingWords("countOne", "%(count)s entry you logged on this phone has not been sent yet:", { count: n })
      : waitingWords("countOther", "%(count)s entries you logged on this phone have not been sent yet:", { count: n });
    waiting.fillList(list, records);
    warning.hidden = false;
    sendFirst.focus();
  }

  form.addEventListener("submit", async (event) => {
    if (confirmed) return;
    event.preventDefault();
    let records = [];
    try {
      records = (await waiting.all()).filter(needsThisSignIn);
    } catch (error) {
      records = [];
    }
    if (records.length) show(records);
    else logOut();
  });

  sendFirst.addEventListener("click", async () => {
    sendFirst.disabled = true;
    outcome.textContent = waitingWords("sending", "Sending…");
    const { left, problems } = await waiting.send(shown);
    sendFirst.disabled = false;
    if (!left.length && !problems.length) {
      outcome.textContent = waitingWords("allSent", "All sent. Logging out…");
      logOut();
      return;
    }
    outcome.textContent = problems.join(" ");
    if (left.length) {
      show(left);
      outcome.textContent += ` ${waitingWords("stillHere", "They are still on this phone.")}`;
    } else {
      warning.querySelector("[data-list]").replaceChildren();
      count.textContent = waitingWords("nothing", "Nothing is waiting any more.");
    }
  });

  anyway.addEventListener("click", logOut);
})();

// -- A share link that no longer works -------------------------------------------

(() => {
  const box = document.getElementById("refused-entries");
  const link = location.pathname.match(/^\/s\/[^/]+\//);
  if (!box || !link || document.getElementById("quick-log")) return;
  const waiting = window.homefrontWaiting;
  waiting.forgetLinkPages(link[0]);
  waiting
    .all()
    .then((records) => waiting.showRefused(box, records.filter((record) => String(record.syncUrl).startsWith(link[0]))))
    .catch(() => undefined);
})();
