// Service worker: keeps the auditor's pages usable with no signal.
// Pages: network first, the last good copy when offline. Static files and
// photos: cache first. Posts are never touched here: the page's outbox
// (app.js) stores and replays them.
"use strict";
const STATIC = "cem-static-__STATIC_VERSION__";  // filled in by fieldapp.pwa: a hash of the files
const PAGES = "cem-pages-v1";
const PRECACHE = ["/static/app.css", "/static/app.js", "/static/htmx-2.0.11.min.js",
                  "/static/outbox.js", "/static/relevance.js", "/static/signature.js",
                  "/manifest.webmanifest", "/static/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

// A new release has a new STATIC name: the old copies of the files go.
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("cem-static-") && n !== STATIC)
                                      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request, name) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(name)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/photos/")) {
    event.respondWith(cacheFirst(request, PAGES));  // a user's photos go with their pages at logout
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request, STATIC));
  } else if (request.mode === "navigate" &&
             (url.pathname.startsWith("/visits/") || url.pathname === "/home")) {
    event.respondWith(networkFirst(request));
  }
});

// The page asks for a visit's pages to be cached when the visit starts.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "cache-pages" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(PAGES).then((cache) => Promise.all(
      data.urls.map((u) => fetch(u, { credentials: "same-origin" })
        .then((r) => (r.ok && !r.redirected ? cache.put(u, r) : null)).catch(() => null)))));
  }
  if (data.type === "claim") {
    event.waitUntil(self.clients.claim());
  }
  if (data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
  }
});
