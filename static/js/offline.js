// Offline entry: the service worker keeps Today and the daily forms; an entry made without a
// connection waits in IndexedDB (keyed by user and idempotency key) and is sent through the API,
// where the server's rules decide. A rejected entry stays on the phone with the server's message.
// Everything kept is removed at sign-out and when another user signs in on this phone.
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.offlineUser;
  if (!user || !window.idbKeyval) { return; }
  var idb = window.idbKeyval;
  var store = idb.createStore("trialsite-offline", "entries");
  var PAGES_CACHE = "trialsite-pages";
  var prefix = "entry:" + user + ":";
  var outbox = document.getElementById("outbox");
  var text = outbox ? outbox.dataset : {};
  var sending = false;

  function format(template, count) { return template.replace("{count}", String(count)); }

  // --- The phone's store ------------------------------------------------------------------------
  function myEntries() {
    return idb.entries(store).then(function (pairs) {
      return pairs.filter(function (p) { return String(p[0]).indexOf(prefix) === 0; })
        .map(function (p) { return p[1]; })
        .sort(function (a, b) { return a.savedAt - b.savedAt; });
    });
  }
  function putEntry(entry) { return idb.set(prefix + entry.key, entry, store); }
  function dropEntry(key) { return idb.del(prefix + key, store); }
  function dropPage(path) {
    return window.caches ? caches.open(PAGES_CACHE).then(function (c) { return c.delete(path); }) : Promise.resolve();
  }
  function clearPhone() {
    var pages = window.caches ? caches.delete(PAGES_CACHE) : Promise.resolve();
    Object.keys(localStorage).filter(function (k) { return k.indexOf("trialsite-") === 0; })
      .forEach(function (k) { localStorage.removeItem(k); });
    return Promise.all([idb.clear(store), pages]);
  }
  // Another user's entries and pages never show: the first page of a new user clears the phone.
  function claimPhone() {
    return idb.get("owner", store).then(function (owner) {
      var ready = owner && owner !== user ? clearPhone() : Promise.resolve();
      return ready.then(function () { return idb.set("owner", user, store); });
    });
  }

  // --- What she sees ----------------------------------------------------------------------------
  function entryRow(entry) {
    var li = document.createElement("li");
    li.className = "border-top pt-2 mt-2 small";
    li.dataset.testid = "outbox-entry";
    li.dataset.status = entry.status;
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = entry.label + " · " + text.textDay + " " + entry.day;
    var state = document.createElement("div");
    state.textContent = entry.status === "rejected" ? text.textRejected : text.textWaiting;
    state.className = entry.status === "rejected" ? "text-danger" : "text-muted";
    li.append(title, state);
    (entry.errors || []).forEach(function (message) {
      var line = document.createElement("div");
      line.className = "text-danger";
      line.dataset.testid = "outbox-error";
      line.textContent = message;
      li.append(line);
    });
    if (entry.status === "rejected") { li.append(rejectedActions(entry)); }
    return li;
  }
  function rejectedActions(entry) {
    var box = document.createElement("div");
    box.className = "d-flex flex-wrap gap-2 mt-1";
    var open = document.createElement("a");
    open.className = "btn btn-sm btn-outline-primary";
    open.href = entry.path + "?draft=" + encodeURIComponent(entry.key);
    open.textContent = text.textOpen;
    open.dataset.testid = "outbox-open";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-sm btn-outline-danger";
    remove.textContent = text.textRemove;
    remove.addEventListener("click", function () {
      if (remove.dataset.armed) { dropEntry(entry.key).then(render); return; }
      remove.dataset.armed = "1";
      remove.textContent = text.textConfirmRemove;
    });
    box.append(open, remove);
    return box;
  }
  function render() {
    return myEntries().then(function (entries) {
      if (!outbox) { return entries; }
      outbox.classList.toggle("d-none", entries.length === 0);
      outbox.querySelector("[data-outbox-count]").textContent = String(entries.length);
      outbox.querySelector("[data-outbox-list]").replaceChildren.apply(
        outbox.querySelector("[data-outbox-list]"), entries.map(entryRow));
      body.dataset.outboxCount = String(entries.length);
      return entries;
    });
  }
  function say(message) {
    var status = outbox && outbox.querySelector("[data-outbox-status]");
    if (status) { status.textContent = message; }
  }
  function showConnection() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.classList.toggle("d-none", navigator.onLine); }
  }

  // --- Sending ----------------------------------------------------------------------------------
  function messagesOf(data) {
    if (typeof data === "string") { return [data]; }
    if (Array.isArray(data)) { return data.flatMap(messagesOf); }
    if (data && typeof data === "object") {
      return Object.keys(data).filter(function (k) { return k !== "current" && k !== "submitted"; })
        .flatMap(function (k) { return messagesOf(data[k]); });
    }
    return [];
  }
  function request(entry) {
    var params = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      var skip = pair[0] === "csrfmiddlewaretoken" || (!entry.observation && (pair[0] === "version" || pair[0] === "reason"));
      if (!skip) { params.append(pair[0], pair[1]); }
    });
    params.set("participant", entry.participant);
    params.set("day", entry.day);
    var url = entry.observation ? body.dataset.apiUrl + entry.observation + "/" : body.dataset.apiUrl;
    return fetch(url, {
      method: entry.observation ? "PATCH" : "POST", body: params, credentials: "same-origin",
      headers: { "X-CSRFToken": body.dataset.csrf, "Accept": "application/json" }
    });
  }
  // "sent", "rejected" (kept with the server's messages) or "later" (no connection, signed out, server down).
  function sendOne(entry) {
    return request(entry).then(function (response) {
      if (response.ok) {
        markUsed(entry.key);
        return Promise.all([dropEntry(entry.key), dropPage(entry.path)]).then(function () { return "sent"; });
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        var messages = messagesOf(data);
        var signedOut = response.status === 401 || (response.status === 403 && /CSRF/i.test(messages.join(" ")));
        if (signedOut) { say(text.textSignin); return "later"; }
        if (response.status >= 500) { return "later"; }
        entry.status = "rejected";
        entry.errors = messages.length ? messages : [String(response.status)];
        return putEntry(entry).then(function () { return "rejected"; });
      });
    }, function () { return "later"; });
  }
  function sendAll() {
    if (sending) { return Promise.resolve(); }
    if (!navigator.onLine) { say(text.textOffline); return Promise.resolve(); }
    sending = true;
    var sent = 0;
    return myEntries().then(function (entries) {
      // "sending": an entry or correction whose online answer never came (see setUpForm).
      var waiting = entries.filter(function (e) { return e.status !== "rejected"; });
      return waiting.reduce(function (chain, entry) {
        return chain.then(function (go) {
          if (!go) { return false; }
          return sendOne(entry).then(function (result) { sent += result === "sent"; return result !== "later"; });
        });
      }, Promise.resolve(true));
    }).then(function () {
      sending = false;
      if (sent) { say(format(text.textSent, sent)); }
      return render();
    }).then(function () {
      // Today lists what is still due: show it again without the days just sent.
      if (sent && location.pathname === body.dataset.todayUrl) { location.reload(); }
    }, function () { sending = false; });
  }

  // --- The daily form ---------------------------------------------------------------------------
  function entryFrom(form, key) {
    var fields = Array.from(new FormData(form).entries()).filter(function (p) { return typeof p[1] === "string"; });
    var d = form.dataset;
    return {
      key: key, status: "waiting", errors: [], savedAt: Date.now(), fields: fields, path: location.pathname,
      participant: d.participant, label: d.participantLabel, day: d.day, observation: d.observation || ""
    };
  }
  // Keys already sent (localStorage: written before the page unloads). Reusing one would make the
  // server answer with the stored row and ignore the new values; a fresh key gets a clear rejection.
  var USED = "trialsite-used:" + user;
  function usedKeys() { try { return JSON.parse(localStorage.getItem(USED)) || []; } catch (e) { return []; } }
  function markUsed(key) { localStorage.setItem(USED, JSON.stringify(usedKeys().concat([key]))); }
  function keepOffline(form) {
    var key = form.elements.idempotency_key.value;
    if (usedKeys().indexOf(key) !== -1) { key = crypto.randomUUID(); form.elements.idempotency_key.value = key; }
    return putEntry(entryFrom(form, key)).then(function () { location.assign(body.dataset.todayUrl); });
  }
  function fillFrom(form, entry) {
    entry.fields.forEach(function (pair) {
      var el = form.elements[pair[0]];
      if (!el) { return; }
      if (el instanceof RadioNodeList || el.type === "radio") {
        Array.from(form.querySelectorAll("input[name='" + pair[0] + "']")).forEach(function (r) { r.checked = r.value === pair[1]; });
      } else if (el.type !== "hidden" || pair[0] === "idempotency_key") {
        el.value = pair[1];
      }
    });
    form.dispatchEvent(new Event("change"));
    var box = document.getElementById("draft-errors");
    if (box && entry.errors.length) {
      box.replaceChildren.apply(box, entry.errors.map(function (m) { var p = document.createElement("div"); p.textContent = m; return p; }));
      box.classList.remove("d-none");
      box.focus();
    }
  }
  function setUpForm(form) {
    var draft = new URLSearchParams(location.search).get("draft");
    var opened = draft ? idb.get(prefix + draft, store) : Promise.resolve(null);
    opened.then(function (entry) { if (entry) { fillFrom(form, entry); form.dataset.draftKey = entry.key; } });
    form.addEventListener("submit", function (event) {
      if (!navigator.onLine) {
        event.preventDefault();
        keepOffline(form);
        return;
      }
      // Sent online: its key is spent; the kept copy of this form is dropped, and were it reopened
      // offline, it gets a new key.
      var key = form.elements.idempotency_key.value;
      markUsed(key);
      dropPage(location.pathname);
      var draft = form.dataset.draftKey && form.dataset.draftKey !== key ? dropEntry(form.dataset.draftKey) : null;
      // The entry or correction also stays on the phone until the server's answer arrives ("sending"): a
      // phone can say it is online while nothing gets through, and then the browser shows its own error
      // page instead of an answer. The answer drops the copy (Today names the key it saved; a form sent
      // back with errors or a conflict holds her values itself); without one, the copy waits in the
      // outbox and is sent through the API with the same key, which the server answers with the stored
      // row if the form did arrive (a correction: the row as it is now, its change already made).
      event.preventDefault();
      if (form.dataset.sending) { return; }  // a second tap while the copy is being kept
      form.dataset.sending = "1";
      var entry = entryFrom(form, key);
      entry.status = "sending";
      var post = function () { HTMLFormElement.prototype.submit.call(form); };
      Promise.resolve(draft).then(function () { return putEntry(entry); }).then(post, post);
    });
  }
  // The answer to a form sent online arrived: Today naming the key it saved, or the form sent back
  // with errors or a conflict and her values (the same key in it). Either way the copy kept for it goes.
  function confirmSent() {
    var saved = document.querySelector("[data-saved-entry]");
    var form = document.querySelector("form[data-offline-entry]");
    var key = saved ? saved.dataset.savedEntry : form && form.elements.idempotency_key && form.elements.idempotency_key.value;
    if (!key) { return Promise.resolve(); }
    return idb.get(prefix + key, store).then(function (entry) {
      return entry && entry.status === "sending" ? dropEntry(key) : null;
    });
  }

  // --- Keeping pages for offline use --------------------------------------------------------------
  function keepPages(paths) {
    if (!window.caches) { return Promise.resolve(); }
    return caches.open(PAGES_CACHE).then(function (cache) {
      return paths.reduce(function (chain, path) {
        return chain.then(function () {
          return cache.match(path).then(function (hit) {
            if (hit) { return null; }
            return fetch(path, { credentials: "same-origin" }).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(path, response); }
              return null;
            }, function () { return null; });
          });
        });
      }, Promise.resolve());
    });
  }
  function keepTodaysForms() {
    if (location.pathname !== body.dataset.todayUrl || !navigator.onLine) { return Promise.resolve(); }
    var links = Array.from(document.querySelectorAll("[data-testid=worklist-item]")).map(function (a) {
      return new URL(a.href).pathname;
    });
    return keepPages([body.dataset.offlineUrl].concat(links));
  }
  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    return navigator.serviceWorker.register(body.dataset.swUrl, { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (navigator.serviceWorker.controller) { return null; }
        return new Promise(function (resolve) { navigator.serviceWorker.addEventListener("controllerchange", resolve); });
      });
  }

  // --- Signing out --------------------------------------------------------------------------------
  function guardLogout(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared) { return; }
      event.preventDefault();
      myEntries().then(function (entries) {
        var warning = document.querySelector("[data-logout-warning]");
        if (entries.length && !form.dataset.warned && warning) {
          form.dataset.warned = "1";
          warning.textContent = format(warning.dataset.text, entries.length);
          warning.classList.remove("d-none");
          warning.scrollIntoView();
          return null;
        }
        return clearPhone().then(function () { form.dataset.cleared = "1"; form.requestSubmit(); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showConnection();
    window.addEventListener("online", function () { showConnection(); sendAll(); });
    window.addEventListener("offline", showConnection);
    document.querySelectorAll("form[data-logout]").forEach(guardLogout);
    var form = document.querySelector("form[data-offline-entry]");
    if (form) { setUpForm(form); }
    if (outbox) { outbox.querySelector("[data-outbox-send]").addEventListener("click", sendAll); }
    claimPhone().then(confirmSent).then(render).then(sendAll).then(registerWorker).then(keepTodaysForms)
      .then(function () { body.dataset.offlineReady = "1"; }, function () { body.dataset.offlineReady = "1"; });
  });
})();
