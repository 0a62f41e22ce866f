// Trialsite service worker. Static files: from the cache (their names are hashed, so never stale).
// Pages: from the network; Today and the daily forms are kept for offline use, and any other page
// offline shows the "needs a connection" page. Entries made offline are handled by static/js/offline.js.
"use strict";
var VERSION = "{{ version }}";
var ASSETS = {{ assets|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var STATIC_CACHE = "trialsite-static-" + VERSION;
var PAGES_CACHE = "trialsite-pages";
var KEPT_PAGES = [/^\/observations\/today\/$/, /^\/observations\/participant\/\d+\/day\/\d+\/$/, /^\/offline\/$/];

// Static files straight from the cache, without waking this worker (where the browser can route).
function routeStaticToCache(event) {
  if (!event.addRoutes || typeof URLPattern === "undefined") { return Promise.resolve(); }
  return event.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: "/static/*" }) }, source: "cache" }])
    .catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return routeStaticToCache(event); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("trialsite-static-") === 0 && key !== STATIC_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () {
    // The page request starts while this worker wakes up, instead of after.
    return self.registration.navigationPreload ? self.registration.navigationPreload.enable() : null;
  }).then(function () { return self.clients.claim(); }));
});

function kept(path) {
  return KEPT_PAGES.some(function (pattern) { return pattern.test(path); });
}

function fromNetworkFirst(event, path) {
  return Promise.resolve(event.preloadResponse).then(function (preloaded) {
    return preloaded || fetch(event.request);
  }).then(function (response) {
    if (kept(path) && response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { return cache.put(path, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(path).then(function (hit) { return hit || cache.match(OFFLINE_URL); });
    }).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (request.mode === "navigate") {
    event.respondWith(fromNetworkFirst(event, url.pathname));
  }
});
