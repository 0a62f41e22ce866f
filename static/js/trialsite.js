// Trialsite front-end glue. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // Auto-submit <select data-autosubmit> (e.g. filters) without inline handlers.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.requestSubmit(); }
  });
})();
