// Trialsite front-end glue. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // A page sent as the answer to a form (Today after a save, without a redirect's round trip): the
  // address bar shows that page, and reloading it asks for it again rather than re-sending the form.
  var landed = document.querySelector("[data-landed-url]");
  if (landed && window.history.replaceState) { window.history.replaceState(null, "", landed.dataset.landedUrl); }
  // The menu on a narrow screen: Bootstrap's collapse markup, opened and closed here. Bootstrap's
  // 80 KB script bundle was loaded on every page for this one toggle, and parsing it was a good part
  // of a page's time on a cheap phone.
  document.addEventListener("click", function (event) {
    var toggler = event.target.closest && event.target.closest("[data-menu-toggle]");
    var menu = toggler && document.getElementById(toggler.getAttribute("aria-controls"));
    if (!menu) { return; }
    var open = menu.classList.toggle("show");
    toggler.setAttribute("aria-expanded", String(open));
  });
  // Auto-submit <select data-autosubmit> (e.g. filters) without inline handlers.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.requestSubmit(); }
  });
})();

// The error summary on top of a page (templates/_error_summary.html): shown, scrolled to and focused on
// load, so that a screen reader reads it and nobody has to look for an error below the fold; each of
// its links moves the focus to the field it names.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-error-field]");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1)) ||
        document.querySelector("[name='" + link.dataset.errorField + "']");
      if (!field) { return; }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  });
})();
