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
  window
    .homefrontKeepOffline((registration) => {
      // This very page, as it came (fetched again, a share link's brief would count a
      // second opening), then the page's files.
      registration.active.postMessage({
        type: "keep-page",
        html: copy,
        keepUntil: broughtUpToDate.dataset.keepUntil || "",
      });
      return [];
    })
    .catch(() => {
      // Without the worker the brief still shows; it just won't open offline.
    });
})();
