// Notifications on this device, from the notifications page: ask the browser's
// permission, subscribe through the service worker (/sw.js) with the installation's
// VAPID public key, and hand the subscription to Homefront under a name.
// The page works without this file; only turning push on needs it.
"use strict";

(() => {
  const section = document.getElementById("devices");
  if (!section) return;
  const form = document.getElementById("push-form");
  const nameInput = document.getElementById("push-name");
  const error = document.getElementById("push-error");
  const show = (id) => { document.getElementById(id).hidden = false; };

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("push-unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("push-blocked");
    return;
  }

  function guessName() {
    const agent = navigator.userAgent;
    const device = [[/iPhone/, "iPhone"], [/iPad/, "iPad"], [/Android/, "Android"],
      [/Macintosh/, "Mac"], [/Windows/, "Windows"], [/Linux/, "Linux"]].find(([pattern]) => pattern.test(agent));
    const browser = [[/Edg\//, "Edge"], [/Firefox\//, "Firefox"], [/Chrome\//, "Chrome"], [/Safari\//, "Safari"]]
      .find(([pattern]) => pattern.test(agent));
    return [device ? device[1] : "", browser ? browser[1] : ""].filter(Boolean).join(" · ");
  }

  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    nameInput.setAttribute("aria-invalid", "true");
  }

  const registration = navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready);

  // Marks the device this page runs on in the list, or offers to add it.
  registration
    .then((worker) => worker.pushManager.getSubscription())
    .then((subscription) => {
      const row = subscription &&
        [...document.querySelectorAll("#device-list [data-endpoint]")].find((li) => li.dataset.endpoint === subscription.endpoint);
      if (row) {
        row.querySelector("[data-this-device]").hidden = false;
      } else {
        nameInput.value = guessName();
        form.hidden = false;
      }
    })
    .catch(() => { show("push-unsupported"); });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    nameInput.removeAttribute("aria-invalid");
    if (!nameInput.value.trim()) {
      fail(nameInput.validationMessage || nameInput.title);
      nameInput.focus();
      return;
    }
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        show("push-blocked");
        form.hidden = true;
        return;
      }
      const worker = await registration;
      const subscription = (await worker.pushManager.getSubscription()) ||
        (await worker.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(section.dataset.pushKey),
        }));
      const response = await fetch(section.dataset.pushSubscribe, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ subscription: subscription.toJSON(), name: nameInput.value.trim() }),
      });
      if (response.ok) {
        location.reload();
        return;
      }
      const answer = await response.json().catch(() => ({}));
      fail(answer.error || response.statusText);
    } catch (problem) {
      fail(String(problem.message || problem));
    }
  });
})();
