// The brief, kept on the phone like the sheet on the fridge: once opened it opens
// again without a connection (the service worker, sw.js, keeps it), and says so,
// with the time of the copy, when the phone is offline. Without this file the
// page is the same, only not kept.
"use strict";

(() => {
  const broughtUpToDate = document.getElementById("brought-up-to-date");
  if (!broughtUpToDate) return;
  const offlineNote = document.getElementById("offline-copy");
  // The page as the server sent it, before anything below changes it.
  const copy = `<!doctype html>\n${document.documentElement.outerHTML}`;

  function showOffline() {
    if (offlineNote) offlineNote.hidden = navigator.onLine !== false;
  }
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  showOffline();

  if (!("serviceWorker" in navigator)) return;
  // Taken now: once the new worker activates it claims this page at once.
  const seenByWorker = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      if (seenByWorker || !registration.active) return;
      // This visit was not seen by the worker: hand it this very page (fetched again,
      // a share link's brief would count a second opening) and the page's files.
      registration.active.postMessage({
        type: "keep-page",
        html: copy,
        keepUntil: broughtUpToDate.dataset.keepUntil || "",
      });
      const urls = [];
      for (const element of document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"], script[src]')) {
        urls.push(element.href || element.src);
      }
      registration.active.postMessage({ type: "cache-urls", urls });
    })
    .catch(() => {
      // Without the worker the brief still shows; it just won't open offline.
    });
})();
