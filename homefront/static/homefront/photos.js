// Photos from the quick log, also without a connection. Each photo is shrunk on
// the phone (a 12 MP picture becomes a ~2048 px JPEG of a few hundred KB, its
// metadata left behind by the canvas), waits in IndexedDB as a Blob with an id
// made here, and is sent once the server can be reached; the server stores an
// id once. A photo the server refuses stays listed with its reason until it is
// dropped. Without this file the form posts the photos as they are.
"use strict";

(() => {
  const form = document.getElementById("photo-form");
  const root = document.getElementById("quick-log");
  if (!form || !root || !("indexedDB" in window)) return;

  const UPLOAD_URL = form.getAttribute("action");
  const MEMBER = root.dataset.member || "";
  const LONGEST_SIDE = 2048;
  const RETRY_MS = 20000;
  const status = document.getElementById("photo-status");
  const problems = document.getElementById("photo-problems");
  const messages = status.dataset; // the page's words, in its language

  const { newUuid, csrfToken } = window.homefrontQueue;
  const { ready, run } = window.homefrontQueue.kept("photos");

  const put = (record) => run("readwrite", (store) => store.put(record));
  const drop = (uuid) => run("readwrite", (store) => store.delete(uuid));
  const queued = () =>
    run("readonly", (store) => store.index("uploadUrl").getAll(UPLOAD_URL)).then((records) =>
      (records || []).filter((r) => !r.member || r.member === MEMBER).sort((a, b) => a.queuedAt - b.queuedAt),
    );

  // Shrunk and turned upright on the phone. A picture the browser cannot draw (HEIC
  // outside Safari) goes as it is: the server reads it.
  async function shrink(file) {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      if (blob) return blob;
    } catch (error) {
      // fall through: send the file itself
    }
    return file.slice(0, file.size, file.type);
  }

  let unreachable = false;
  let blockingError = "";

  async function showQueue(justSent) {
    let records = [];
    try {
      records = await queued();
    } catch (error) {
      return;
    }
    const waiting = records.filter((r) => !r.refused);
    const refused = records.filter((r) => r.refused);
    status.classList.remove("is-ok", "is-error");
    if (waiting.length) {
      let message = messages.waiting.replace("%(count)s", waiting.length);
      if (blockingError) {
        message = `${blockingError} ${message}`;
        status.classList.add("is-error");
      } else if (navigator.onLine === false) message += ` · ${messages.offline}`;
      else if (unreachable) message += ` · ${messages.unreachable}`;
      status.textContent = message;
      status.hidden = false;
    } else if (justSent) {
      status.textContent = messages.sent;
      status.classList.add("is-ok");
      status.hidden = false;
    } else {
      status.hidden = true;
    }
    problems.replaceChildren(
      ...refused.map((record) => {
        const line = document.createElement("p");
        line.className = "sync-status is-error photo-refused";
        const words = document.createElement("span");
        words.textContent = `${messages.refused} ${record.name}: ${record.refused} `;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button small";
        button.textContent = messages.drop;
        button.addEventListener("click", () => drop(record.uuid).then(() => showQueue(false)));
        line.append(words, button);
        return line;
      }),
    );
  }

  async function sendOne(record) {
    const data = new FormData();
    data.append("photo", record.blob, record.name || "photo.jpg");
    data.append("uuid", record.uuid);
    data.append("caption", record.caption);
    for (const child of record.children) data.append("children", child);
    data.append("entry", record.entry);
    data.append("taken_at", record.takenAt);
    const response = await fetch(UPLOAD_URL, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: data,
    });
    const body = (response.headers.get("Content-Type") || "").includes("json")
      ? await response.json().catch(() => null)
      : null;
    if (response.ok && body && Array.isArray(body.results) && body.results[0]) return body.results[0];
    if (body && body.error) return { blocking: body.error };
    if (response.status >= 500 || response.status === 429) return { later: true };
    return { blocking: messages.signedOut };
  }

  let sending = false;
  async function send() {
    if (sending || navigator.onLine === false) return showQueue(false);
    sending = true;
    let sent = false;
    try {
      for (const record of await queued()) {
        if (record.refused) continue;
        let result;
        try {
          result = await sendOne(record);
        } catch (error) {
          unreachable = true;
          break;
        }
        unreachable = false;
        if (result.blocking) {
          blockingError = result.blocking;
          break;
        }
        blockingError = "";
        if (result.later || result.status === "waiting") continue;
        if (result.status === "stored" || result.status === "duplicate") {
          await drop(record.uuid);
          sent = true;
        } else {
          record.refused = Object.values(result.errors || {}).join(" ") || messages.notStored;
          await put(record);
        }
      }
    } finally {
      sending = false;
    }
    await showQueue(sent);
    if (sent && document.getElementById("recent")) refreshRecent();
  }

  // The page's "Just logged" list, as the server now has it.
  function refreshRecent() {
    fetch(location.href, { credentials: "same-origin", cache: "no-store" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("recent");
        const list = document.getElementById("recent");
        if (fresh && list) list.replaceWith(fresh);
      })
      .catch(() => undefined);
  }

  form.addEventListener("submit", async (event) => {
    const input = form.querySelector('input[type="file"]');
    const files = Array.from((input && input.files) || []);
    if (!files.length || form.dataset.native === "true") return;
    event.preventDefault();
    const data = new FormData(form);
    const children = data.getAll("children").filter((v) => /^\d+$/.test(v));
    const takenAt = new Date().toISOString();
    try {
      for (const file of files) {
        const blob = await shrink(file);
        await put({
          uuid: newUuid(),
          uploadUrl: UPLOAD_URL,
          member: MEMBER,
          blob,
          name: file.name || "photo.jpg",
          caption: String(data.get("caption") || "").trim(),
          children,
          entry: String(data.get("entry") || ""),
          takenAt,
          queuedAt: Date.now(),
          refused: "",
        });
      }
    } catch (error) {
      // No room or no storage on this phone: post the form as it is.
      form.dataset.native = "true";
      form.submit();
      return;
    }
    form.reset();
    await showQueue(false);
    send();
  });

  window.homefrontQueue.sendWhenBack(send, {
    online: () => {
      unreachable = false;
    },
    offline: () => showQueue(false),
  });
  setInterval(send, RETRY_MS);
  ready().then(send, () => undefined);
})();
