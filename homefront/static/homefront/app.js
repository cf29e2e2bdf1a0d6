// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const done = () => {
    const label = button.textContent;
    const words = document.getElementById("waiting-words");
    button.textContent = (words && words.dataset.copied) || "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  // The clipboard API exists only on https and localhost; a home server on
  // plain http falls back to selecting the text and the old copy command.
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value || source.textContent).then(done);
  } else {
    source.focus();
    source.select();
    if (document.execCommand("copy")) done();
  }
});

// A poll (an element with data-poll and an htmx trigger "every …") asks whether anything
// changed: the ETag of its last answer goes back as If-None-Match, and the server's 304,
// which renders nothing, leaves the part as it is (base.html's htmx-config). The pages
// hold the family's secrets and are not stored, so the browser would not ask by itself.
// Kept by the element's id: a poll swapping itself (outerHTML) is a new element after.
const pollTags = new Map();
const pollKey = (elt) => elt.id || elt;
document.addEventListener("htmx:configRequest", (event) => {
  const elt = event.detail.elt;
  const tag = pollTags.get(pollKey(elt));
  if (tag && elt.matches("[data-poll]")) {
    event.detail.headers["If-None-Match"] = tag;
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const { elt, xhr } = event.detail;
  if (!elt.matches("[data-poll]") || !xhr) return;
  const tag = xhr.getResponseHeader("ETag");
  if (tag) pollTags.set(pollKey(elt), tag);
});

// A new household's time zone is the browser's own (the box keeps the server's guess
// when the browser has none, and any zone typed by hand).
for (const input of document.querySelectorAll("input[data-browser-zone]")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && zone !== "UTC") input.value = zone;
}

// A box Homefront fills with a suggestion (a trip's time zone, from the destination typed
// so far) is the person's once they type in it: a suggestion answered late, or for a
// later keystroke in the destination, never replaces what they typed.
document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("[data-suggested]")) {
    event.target.dataset.typedByHand = "yes";
  }
});
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (target && target.querySelector && target.querySelector("[data-suggested][data-typed-by-hand]")) {
    event.detail.shouldSwap = false;
  }
});

// A page that opens again offline (the quick log, a trip's brief) registers the service
// worker (sw.js) and, on the first visit the worker did not see, hands it the page's
// files: `first(registration)` hands over the page itself and returns the addresses to
// keep before the files, `last` those after them. Resolves once handed over.
window.homefrontKeepOffline = (first, last = []) => {
  // Taken now: once the new worker activates it claims this page at once.
  const seenByWorker = Boolean(navigator.serviceWorker.controller);
  return navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      if (seenByWorker || !registration.active) return;
      const urls = first(registration);
      for (const element of document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"], script[src]')) {
        urls.push(element.href || element.src);
      }
      urls.push(...last);
      registration.active.postMessage({ type: "cache-urls", urls });
    });
};
