// The quick log, also without a connection. Each tap becomes an entry with
// its own id, waits in a queue on this phone (IndexedDB) and is sent when the
// server can be reached; the server stores an id once, however often it is
// sent. Without this file every form still posts and stores one entry.
"use strict";

(() => {
  const root = document.getElementById("quick-log");
  if (!root || !root.dataset.syncUrl) return;

  const SYNC_URL = root.dataset.syncUrl;
  const { newUuid, postEntries } = window.homefrontQueue;
  const BATCH = 100;
  const RETRY_MS = 20000;
  const ALL_SENT_MS = 3000;
  const CONFIRM_MS = 6000;
  const FINAL = new Set(["stored", "duplicate", "conflict", "invalid"]);
  // What the server put on the page through json_script: the words in its language
  // (journal/views.py) and each kind's label and detail keys (journal/models.py).
  function fromPage(id) {
    const element = document.getElementById(id);
    try {
      return element ? JSON.parse(element.textContent) : {};
    } catch (error) {
      return {};
    }
  }
  const WORDS = fromPage("journal-words");
  const KINDS = fromPage("journal-kinds");
  // Without the kinds no entry can be built here: the forms post as they are.
  if (!Object.keys(KINDS).length) return;
  // English where a page has no words.
  function say(key, english, values) {
    let text = WORDS[key] || english;
    for (const [name, value] of Object.entries(values || {})) text = text.split(`%(${name})s`).join(value);
    return text;
  }
  const labelOf = (kind) => (KINDS[kind] && KINDS[kind].label) || kind;
  const detailKeysOf = (kind) => (KINDS[kind] && KINDS[kind].details) || [];

  const status = document.getElementById("sync-status");
  const confirmation = document.createElement("p");
  confirmation.id = "log-confirmation";
  confirmation.className = "sync-status is-ok";
  confirmation.setAttribute("role", "status");
  confirmation.hidden = true;
  const problems = document.createElement("div");
  problems.id = "sync-problems";
  problems.setAttribute("role", "alert");
  if (status) {
    status.before(confirmation);
    status.after(problems);
  } else {
    root.prepend(confirmation, problems);
  }

  // -- The queue on this phone ---------------------------------------------------

  let storageBroken = !("indexedDB" in window);
  const { ready, run } = window.homefrontQueue.kept("journal");

  // A member's entries wait for that member: sent by whoever signs in next on
  // this phone, they would be logged in that person's name.
  const MEMBER = root.dataset.member || "";
  const ours = (record) => !record.member || record.member === MEMBER;

  const enqueue = (record) => run("readwrite", (store) => store.put(record));
  const queuedHere = () =>
    run("readonly", (store) => store.index("syncUrl").getAll(SYNC_URL)).then((records) =>
      (records || []).filter(ours).sort((a, b) => a.queuedAt - b.queuedAt),
    );
  const queuedEverywhere = () => run("readonly", (store) => store.count());
  const forget = (uuids) =>
    run("readwrite", (store) => {
      for (const uuid of uuids) store.delete(uuid);
    });

  // -- Building an entry from a form ---------------------------------------------

  function formData(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return data;
  }

  function text(data, name) {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  }

  function id(data, name) {
    const value = text(data, name);
    return /^\d+$/.test(value) ? Number(value) : null;
  }

  function buildEntry(form, submitter) {
    const data = formData(form, submitter);
    const kind = text(data, "kind") || form.dataset.kind || "";
    const details = {};
    for (const key of detailKeysOf(kind)) {
      const value = text(data, key).trim();
      if (value) details[key] = value;
    }
    return {
      uuid: newUuid(),
      kind,
      children: data
        .getAll("children")
        .filter((value) => /^\d+$/.test(value))
        .map(Number),
      occurred_at: new Date().toISOString(),
      details,
      text: text(data, "text"),
      medicine: id(data, "medicine"),
      comfort_task: id(data, "comfort_task"),
    };
  }

  function joinNames(names) {
    if (names.length < 2) return names.join("");
    return say("names", "%(some)s and %(last)s", { some: names.slice(0, -1).join(", "), last: names[names.length - 1] });
  }

  function lowerFirst(words) {
    return words ? words.charAt(0).toLowerCase() + words.slice(1) : "";
  }

  // "Bath for Maya and Noa", "Meal (pasta): ate most for Noa".
  function describe(form, submitter, entry) {
    const span = submitter && submitter.querySelector("span");
    const button = submitter ? submitter.textContent.trim() : "";
    const details = entry.details;
    let what;
    if (span && span.textContent.trim()) {
      what = span.textContent.trim();
    } else if (entry.kind === "meal") {
      what = `${labelOf("meal")}${details.what ? ` (${details.what})` : ""}${button ? `: ${lowerFirst(button)}` : ""}`;
    } else if (entry.kind === "new_food") {
      what = `${say("new_food", "New food: %(food)s", { food: details.food || "" })}${button ? ` (${lowerFirst(button)})` : ""}`;
    } else if (entry.kind === "medicine") {
      const medicine = form.querySelector('input[name="medicine"]');
      what = say("given", "%(medicine)s given", { medicine: (medicine && medicine.dataset.name) || labelOf("medicine") });
    } else if (entry.kind === "note") {
      what = labelOf("note");
    } else {
      what = labelOf(entry.kind);
      if (button) what += `: ${entry.kind === "comfort_used" ? button : lowerFirst(button)}`;
    }
    const names = Array.from(form.querySelectorAll('input[name="children"]'))
      .map((input) => input.dataset.name)
      .filter(Boolean);
    return names.length ? say("for", "%(what)s for %(children)s", { what, children: joinNames(names) }) : what;
  }

  function clearTextInputs(form) {
    for (const field of form.querySelectorAll("input, textarea")) {
      if (field.tagName === "TEXTAREA" || ["text", "search", "number", ""].includes(field.getAttribute("type") || "")) {
        field.value = "";
      }
    }
  }

  // -- What the caregiver sees ---------------------------------------------------

  let confirmTimer = 0;
  // Shown just below the block that was tapped, where the eyes are.
  function showConfirmation(message, form) {
    const block = form.closest(".log-grid, details, .doses") || form;
    if (block.nextElementSibling !== confirmation) block.after(confirmation);
    confirmation.textContent = message;
    confirmation.hidden = false;
    clearTimeout(confirmTimer);
    confirmTimer = setTimeout(() => {
      confirmation.hidden = true;
    }, CONFIRM_MS);
  }

  function showProblem(message, level) {
    if (level === "error") confirmation.hidden = true;
    const line = document.createElement("p");
    line.className = `sync-status${level === "error" ? " is-error" : ""}`;
    const words = document.createElement("span");
    words.textContent = `${message} `;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link-button small";
    dismiss.textContent = say("dismiss", "Dismiss");
    dismiss.addEventListener("click", () => line.remove());
    line.append(words, dismiss);
    problems.append(line);
  }

  function timeOf(record) {
    const moment = new Date(record.entry.occurred_at);
    return moment.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function addToRecent(record) {
    const list = document.getElementById("recent");
    if (!list) return;
    for (const empty of list.querySelectorAll("li:not(.entry)")) empty.remove();
    const item = document.createElement("li");
    item.className = `entry kind-${record.entry.kind}`;
    const time = document.createElement("time");
    time.dateTime = record.entry.occurred_at;
    time.textContent = timeOf(record);
    const body = document.createElement("span");
    body.className = "grow";
    const title = document.createElement("strong");
    title.textContent = record.label;
    body.append(title);
    if (record.entry.text) {
      const note = document.createElement("span");
      note.className = "note-text";
      note.textContent = record.entry.text;
      body.append(document.createElement("br"), note);
    }
    item.append(time, body);
    list.prepend(item);
    while (list.children.length > 5) list.lastElementChild.remove();
  }

  let blockingError = "";
  let unreachable = false;
  let statusTimer = 0;
  let waitingCount = 0;

  async function refreshStatus(justSent) {
    let waiting = 0;
    let elsewhere = 0;
    try {
      waiting = (await queuedHere()).length;
      elsewhere = (await queuedEverywhere()) - waiting;
    } catch (error) {
      waiting = 0;
    }
    waitingCount = waiting;
    if (!status) return;
    if (!waiting && !justSent && statusTimer) return; // "All sent" stays for its moment
    clearTimeout(statusTimer);
    statusTimer = 0;
    status.classList.remove("is-ok", "is-error");
    if (waiting) {
      let message;
      if (blockingError) {
        message = say("waiting_blocked", "%(error)s Entries waiting on this phone: %(count)s.", { error: blockingError, count: waiting });
        status.classList.add("is-error");
      } else {
        message = say("waiting", "%(count)s waiting to send", { count: waiting });
        if (navigator.onLine === false) message += ` · ${say("offline", "offline, they go when you are back online")}`;
        else if (unreachable) message += ` · ${say("unreachable", "the server cannot be reached, trying again shortly")}`;
      }
      if (elsewhere > 0) message += ` ${say("elsewhere", "(and %(count)s from another log page or another person, sent from there)", { count: elsewhere })}`;
      status.textContent = message;
      status.hidden = false;
    } else if (justSent) {
      status.textContent = say("all_sent", "All sent");
      status.classList.add("is-ok");
      status.hidden = false;
      statusTimer = setTimeout(() => {
        statusTimer = 0;
        status.hidden = true;
      }, ALL_SENT_MS);
    } else {
      status.hidden = true;
      status.textContent = "";
    }
  }

  // -- Sending -------------------------------------------------------------------

  // Resolves {results} or {error}; rejects when the network fails.
  async function post(records) {
    const response = await postEntries(SYNC_URL, records.map((record) => record.entry));
    const json = (response.headers.get("Content-Type") || "").includes("json");
    const body = json ? await response.json().catch(() => null) : null;
    if (response.ok && body && Array.isArray(body.results)) return { results: body.results };
    // 410: the share link no longer works; its entries can only be passed on by hand.
    const gone = response.status === 410;
    if (body && typeof body.error === "string" && body.error) return { error: body.error, gone };
    if (response.redirected || response.ok) {
      return { error: say("signed_out", "You are signed out: sign in again on this phone to send what you logged.") };
    }
    if (response.status === 403) {
      return { error: say("refused", "The server refused the entries: reload this page, or sign in again.") };
    }
    if (response.status === 404) return { error: say("closed", "This trip's journal is no longer open to you.") };
    if (response.status >= 500) return { error: say("server_problem", "The server had a problem; trying again shortly.") };
    return { error: say("refused_status", "The server refused the entries (%(status)s).", { status: response.status }) };
  }

  function settle(records, results) {
    const byUuid = new Map(records.map((record) => [record.uuid.toLowerCase(), record]));
    const done = [];
    let accepted = 0;
    for (const result of results) {
      const record = result && byUuid.get(String(result.uuid).toLowerCase());
      if (!record || !FINAL.has(result.status)) continue;
      byUuid.delete(record.uuid.toLowerCase());
      done.push(record.uuid);
      const reasons = Object.values(result.errors || {}).join(" ");
      if (result.status === "stored" || result.status === "duplicate") accepted += 1;
      if (result.status === "stored") addToRecent(record);
      if (result.status === "invalid") {
        showProblem(say("not_logged", "Not logged: %(entry)s at %(time)s. %(reasons)s", { entry: record.label, time: timeOf(record), reasons }), "error");
      } else if (result.status === "conflict") {
        showProblem(say("not_logged_again", "Not logged again: %(entry)s at %(time)s. %(reasons)s", { entry: record.label, time: timeOf(record), reasons }), "error");
      }
      if (result.warning) showProblem(`${record.label}: ${result.warning}`, "warning");
    }
    return { done, accepted };
  }

  // Shown with their text, to be copied into a message to a parent.
  async function showRefused() {
    const waiting = window.homefrontWaiting;
    if (!waiting) return;
    waiting.forgetLinkPages(SYNC_URL.replace(/journal\/sync\/$/, ""));
    waiting.showRefused(document.getElementById("refused-entries"), await queuedHere(), () => {
      blockingError = "";
      refreshStatus(false);
    });
  }

  let sending = false;
  let sendAgain = false;

  async function send() {
    if (storageBroken) return;
    if (sending) {
      sendAgain = true;
      return;
    }
    sending = true;
    let sent = false;
    try {
      do {
        sendAgain = false;
        if (navigator.onLine === false) break;
        for (;;) {
          const batch = (await queuedHere()).slice(0, BATCH);
          if (!batch.length) break;
          let answer;
          try {
            answer = await post(batch);
          } catch (error) {
            unreachable = true; // offline or no route: everything stays queued
            sendAgain = false;
            break;
          }
          unreachable = false;
          if (answer.error) {
            blockingError = answer.error; // revoked link, lost access: keep everything
            sendAgain = false;
            if (answer.gone) showRefused();
            break;
          }
          blockingError = "";
          const { done, accepted } = settle(batch, answer.results);
          if (done.length) await forget(done);
          if (accepted) sent = true;
          if (done.length < batch.length) break; // some not answered for: next time
        }
      } while (sendAgain);
    } catch (error) {
      // The queue could not be read; the next try starts afresh.
    } finally {
      sending = false;
    }
    await refreshStatus(sent);
  }

  // -- Taps ----------------------------------------------------------------------

  function postNatively(form, submitter) {
    form.dataset.native = "true";
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (submitter && submitter.name) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.append(input);
    }
    form.submit();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches(".log-form") || !root.contains(form)) return;
    if (storageBroken || form.dataset.native === "true") return; // the plain form post
    event.preventDefault();
    const submitter = event.submitter || null;
    const entry = buildEntry(form, submitter);
    const record = {
      uuid: entry.uuid,
      syncUrl: SYNC_URL,
      member: MEMBER,
      entry,
      label: describe(form, submitter, entry),
      queuedAt: Date.now(),
    };
    enqueue(record).then(
      () => {
        clearTextInputs(form);
        showConfirmation(say("logged", "Logged: %(entry)s", { entry: record.label }), form);
        refreshStatus(false).then(send);
      },
      () => {
        // No storage on this phone (private mode, full disk): post the form instead.
        storageBroken = true;
        postNatively(form, submitter);
      },
    );
  });

  window.homefrontQueue.sendWhenBack(send, {
    online: () => {
      unreachable = false;
    },
    offline: () => refreshStatus(false),
  });
  setInterval(() => {
    if (waitingCount > 0 && !sending) send();
  }, RETRY_MS);

  if (!storageBroken) {
    ready().then(
      () => refreshStatus(false).then(send),
      () => {
        storageBroken = true;
      },
    );
  }

  // -- Opening offline -----------------------------------------------------------

  if ("serviceWorker" in navigator) {
    // This page, its files and the icons, kept for opening offline.
    window
      .homefrontKeepOffline(
        () => [location.href],
        ["/static/homefront/icon-192.png", "/static/homefront/icon-512.png"],
      )
      .catch(() => {
        // Without the worker the page still logs; it just won't open offline.
      });
  }
})();
