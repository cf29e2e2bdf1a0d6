// The queues that wait on this phone until the server has them, in IndexedDB: the
// journal's entries (journal.js, and waiting.js on pages that do not log) and the
// photos (photos.js). Each is a database with one store of records keyed by the id
// the phone made for them and indexed by the address they are sent to. Written once
// here, so whichever page opens a database first makes it as the others expect.
// Loaded (deferred) before the scripts that use it.
"use strict";

window.homefrontQueue = (() => {
  const QUEUES = {
    journal: { database: "homefront-journal", store: "queue", index: "syncUrl" },
    photos: { database: "homefront-photos", store: "photos", index: "uploadUrl" },
  };

  function open({ database, store, index }) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(database, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(store, { keyPath: "uuid" }).createIndex(index, index);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("The phone's storage is busy."));
    });
  }

  // One transaction; resolves with the result of the request `work` returns.
  function transact(db, store, mode, work) {
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error("Not saved."));
    });
  }

  // A queue the page keeps open while it logs: opened on first use, let go when another
  // page needs the database, opened again on the next use. `ready` rejects where the
  // phone keeps nothing (private mode, no room), so the page can post its forms instead.
  function kept(name) {
    const queue = QUEUES[name];
    let opening = null;
    function ready() {
      if (!opening) {
        opening = open(queue).then((db) => {
          db.onversionchange = () => {
            db.close();
            opening = null;
          };
          return db;
        });
        opening.catch(() => {
          opening = null;
        });
      }
      return opening;
    }
    return { ready, run: (mode, work) => ready().then((db) => transact(db, queue.store, mode, work)) };
  }

  // A queue opened for one look and closed after it, for pages that only read or forget
  // what waits: where the phone keeps nothing, `run` resolves with nothing.
  function glance(name) {
    const queue = QUEUES[name];
    async function run(mode, work) {
      if (!("indexedDB" in window)) return undefined;
      let db;
      try {
        db = await open(queue);
      } catch (error) {
        return undefined;
      }
      try {
        return await transact(db, queue.store, mode, work);
      } finally {
        db.close();
      }
    }
    return { run };
  }

  // The id a record keeps from the tap to the server, which stores an id once.
  function newUuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; a home server on plain http is not one.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    // The cookie is the freshest: a page opened from the offline copy may carry
    // an older token than the session now expects.
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    try {
      const headers = JSON.parse(document.body.getAttribute("data-hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) {
      // fall through to the forms' token
    }
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // A batch of journal entries to a log page's sync address; resolves with the response.
  function postEntries(syncUrl, entries) {
    return fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify({ entries }),
    });
  }

  // A queue goes out again when the phone is back online (after `online`) and when its
  // page is seen again; `offline` says when the connection drops.
  function sendWhenBack(send, { online, offline }) {
    window.addEventListener("online", () => {
      online();
      send();
    });
    window.addEventListener("offline", () => offline());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") send();
    });
  }

  return { kept, glance, newUuid, csrfToken, postEntries, sendWhenBack };
})();
