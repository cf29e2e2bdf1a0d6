// Homefront's service worker, served as /sw.js: the quick-log page and the
// brief open without a connection. Everything else goes to the network
// untouched; the entries themselves wait in IndexedDB (journal.js), never in
// this cache. The kept pages hold the family's secrets, so a member's go at
// logout and a share link's go once the link answers 404 or the moment the
// server said they may be kept until has passed; the waiting entries never do.
"use strict";

const VERSION = "v1";
const PAGES = `homefront-pages-${VERSION}`;
const STATIC = `homefront-static-${VERSION}`;
const CURRENT = new Set([PAGES, STATIC]);
const STATIC_LIMIT = 120;
const NETWORK_PATIENCE_MS = 4000;
// Django's manifest storage names files like app.3f2a1b9c8d7e.css: such a name
// never changes content, so it can be served from the cache without asking.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;
const LOGOUT = "/account/logout/";
const LINK_PAGES = /^\/s\/[^/]+\//;
// A share link's brief, "/s/<token>/", and a member's, "/trips/<pk>/brief/".
const BRIEF_PAGES = /^\/(s\/[^/]+|trips\/\d+\/brief)\/$/;
const KEEP_UNTIL = "Homefront-Keep-Until";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("homefront-") && !CURRENT.has(name))
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
      await forgetOutdated();
    })(),
  );
});

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

function isLogPage(url) {
  return sameOrigin(url) && url.pathname.includes("/log/");
}

function isBrief(url) {
  return sameOrigin(url) && BRIEF_PAGES.test(url.pathname);
}

function isKeptPage(url) {
  return isLogPage(url) || isBrief(url);
}

function isStatic(url) {
  return sameOrigin(url) && url.pathname.startsWith("/static/");
}

function isSync(url) {
  return url.pathname.includes("/sync/");
}

// "/s/<token>/" for a page of a share link, null for a member's page.
function linkOf(url) {
  const match = url.pathname.match(LINK_PAGES);
  return match ? match[0] : null;
}

async function forgetPages(which) {
  const cache = await caches.open(PAGES);
  const keys = await cache.keys();
  await Promise.all(keys.filter((key) => which(new URL(key.url))).map((key) => cache.delete(key)));
}

// A member's pages are theirs only while signed in; a share link's pages stay,
// since the link, not the session, opens them.
const forgetMemberPages = () => forgetPages((url) => linkOf(url) === null);
const forgetLinkPages = (link) => forgetPages((url) => linkOf(url) === link);

// Past its moment a share link's page goes, and the link's other pages with it,
// though no connection came to say the link no longer works.
async function forgetOutdated() {
  const cache = await caches.open(PAGES);
  const now = Date.now();
  for (const key of await cache.keys()) {
    const kept = await cache.match(key);
    const until = Date.parse((kept && kept.headers.get(KEEP_UNTIL)) || "");
    if (Number.isNaN(until) || until > now) continue;
    const link = linkOf(new URL(key.url));
    if (link) await forgetLinkPages(link);
    else await cache.delete(key);
  }
}

async function logOut(request) {
  try {
    await forgetMemberPages();
  } catch (error) {
    // The server still ends the session.
  }
  return fetch(request);
}

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET") {
    // Never a POST kept; logging out drops the member's pages before it goes.
    if (request.mode === "navigate" && sameOrigin(url) && url.pathname === LOGOUT) {
      event.respondWith(logOut(request));
    }
    return;
  }
  if (!sameOrigin(url) || isSync(url)) return;
  if (request.mode === "navigate" && isKeptPage(url)) {
    event.respondWith(keptPage(event));
  } else if (isStatic(url)) {
    event.respondWith(HASHED.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
  }
});

async function findPage(cache, request) {
  return (
    (await cache.match(request, { ignoreVary: true })) ||
    (await cache.match(request, { ignoreVary: true, ignoreSearch: true }))
  );
}

// Network first: the newest page when there is a connection, the copy kept
// from the last visit when there is none (or when it is too slow to wait for).
async function keptPage(event) {
  const request = event.request;
  await forgetOutdated().catch(() => undefined);
  const cache = await caches.open(PAGES);
  const network = fetch(request).then(async (response) => {
    if (cacheable(response)) {
      await cache.put(request.url, response.clone());
    } else if (response.type === "opaqueredirect" || [403, 404, 410].includes(response.status)) {
      // Signed out or no longer allowed: don't keep showing the old copy, nor,
      // for a dead share link, any other page of it.
      const link = linkOf(new URL(request.url));
      if (link && response.status !== 403) await forgetLinkPages(link);
      else await cache.delete(request.url);
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  const cached = await findPage(cache, request);
  if (!cached) return network.catch(notKept);
  const patience = new Promise((resolve) => setTimeout(resolve, NETWORK_PATIENCE_MS, null));
  try {
    return (await Promise.race([network, patience])) || cached;
  } catch (error) {
    return cached;
  }
}

// Offline, and this page is not kept here (never opened, or dropped at logout).
function notKept() {
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>Offline · Homefront</title></head><body><h1>Offline</h1>" +
    "<p>This page is not kept on this phone. Connect to the internet and open it again.</p>" +
    "</body></html>";
  return new Response(page, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

async function trim(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - STATIC_LIMIT)).map((key) => cache.delete(key)));
}

async function keepStatic(request, response) {
  if (!cacheable(response)) return;
  const cache = await caches.open(STATIC);
  await cache.put(request, response);
  await trim(cache);
}

async function cacheFirst(request) {
  const cache = await caches.open(STATIC);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  await keepStatic(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    await keepStatic(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { cacheName: STATIC, ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

// journal.js sends the page and its files on the first visit, which this
// worker did not see because it was not running yet; the brief hands over its
// page itself (keepCopy).
async function keep(urls) {
  const pages = await caches.open(PAGES);
  const statics = await caches.open(STATIC);
  for (const raw of urls) {
    let url;
    try {
      url = new URL(raw, self.location.href);
    } catch (error) {
      continue;
    }
    if (!sameOrigin(url) || isSync(url)) continue;
    try {
      if (isStatic(url)) {
        if (await statics.match(url.href, { ignoreVary: true })) continue;
        const response = await fetch(url.href, { credentials: "same-origin" });
        await keepStatic(new Request(url.href), response);
      } else if (isLogPage(url)) {
        const response = await fetch(url.href, { credentials: "same-origin" });
        if (cacheable(response)) await pages.put(url.href, response);
      }
    } catch (error) {
      // Offline already: the next visit fills the cache.
    }
  }
}

// offline-page.js hands over the brief it shows, on the first visit this worker
// did not see: fetched again, a share link's brief would count a second opening.
// Kept under the address of the page that sent it, so a page keeps only itself.
async function keepCopy(client, html, keepUntil) {
  const url = new URL(client.url);
  url.hash = "";
  if (!isBrief(url)) return;
  const headers = { "Content-Type": "text/html; charset=utf-8" };
  if (typeof keepUntil === "string" && keepUntil) headers[KEEP_UNTIL] = keepUntil;
  const cache = await caches.open(PAGES);
  await cache.put(url.href, new Response(html, { headers }));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "cache-urls" && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.urls.slice(0, 50)));
  } else if (data.type === "keep-page" && typeof data.html === "string" && event.source && event.source.url) {
    event.waitUntil(keepCopy(event.source, data.html, data.keepUntil));
  } else if (data.type === "forget-link" && typeof data.link === "string" && LINK_PAGES.test(data.link)) {
    // The link's sync answered that it no longer works.
    event.waitUntil(forgetLinkPages(data.link.match(LINK_PAGES)[0]));
  }
});

// -- Notifications (Web Push) --------------------------------------------------
// Homefront's pushes carry {title, body, url, tag, lang, dir} (notify/push.py). A
// later push with the same tag replaces the earlier one ("3 new photos" replaces
// "2 new photos"); tapping opens the page the payload names, in a window of this
// site already open when there is one.
const ICON = "/static/homefront/icon-192.png";
const RENEW = "/notifications/devices/renew/";

self.addEventListener("push", (event) => {
  let shown = {};
  try {
    shown = event.data ? event.data.json() : {};
  } catch (error) {
    shown = { body: event.data ? event.data.text() : "" };
  }
  const url = new URL(shown.url || "/", self.location.origin);
  event.waitUntil(
    self.registration.showNotification(shown.title || "Homefront", {
      body: shown.body || "",
      tag: shown.tag || undefined,
      renotify: Boolean(shown.tag),
      lang: shown.lang || undefined,
      dir: shown.dir || "auto",
      icon: ICON,
      badge: ICON,
      // Only a page of this site: a payload cannot send the tap elsewhere.
      data: { url: sameOrigin(url) ? url.href : self.location.origin + "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || self.location.origin + "/";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (client.url === target && "focus" in client) return client.focus();
      }
      for (const client of windows) {
        if ("navigate" in client && sameOrigin(new URL(client.url))) {
          const moved = await client.navigate(target).catch(() => null);
          if (moved) return moved.focus();
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});

// The push service replaced the subscription (keys rotated, expired): subscribe
// again with the same server key and tell Homefront the device's new address.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      const fresh =
        event.newSubscription ||
        (await self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: old && old.options ? old.options.applicationServerKey : undefined,
        }));
      if (!old || !fresh) return;
      await fetch(RENEW, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ old_endpoint: old.endpoint, subscription: fresh.toJSON() }),
      });
    })(),
  );
});
