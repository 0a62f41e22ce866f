// Observations: live score on the daily form, missing-day toggle, submit once, timeline chart.
// The server recomputes the score on every save; this is only a preview.
(function () {
  "use strict";

  function numberOf(form, name) {
    var el = form.elements[name];
    if (!el || el.value === "") { return null; }
    var value = Number(el.value);
    return isNaN(value) ? null : value;
  }

  function checked(form, name) {
    var el = form.querySelector("input[name='" + name + "']:checked");
    return el ? el.value : null;
  }

  function liveScore(form, box) {
    var d = box.dataset;
    var feeds = numberOf(form, "feeds_24h");
    var wet = numberOf(form, "wet_diapers_24h");
    var sleep = numberOf(form, "sleep_after_feed_hours");
    var breast = checked(form, "breast_full_then_soft");
    var out = box.querySelector("[data-score-value]");
    if (feeds === null || wet === null || sleep === null || breast === null) { out.textContent = "–"; return; }
    var met = 0;
    if (feeds >= Number(d.feedsMin) && feeds <= Number(d.feedsMax)) { met += 1; }
    if (wet >= Number(d.wetMin)) { met += 1; }
    if (sleep >= Number(d.sleepMin)) { met += 1; }
    if (breast === d.breastMet) { met += 1; }
    out.textContent = String(1 + met);
  }

  function toggleMissing(form) {
    var select = form.elements.missing_reason;
    var fields = form.querySelector("[data-observed-fields]");
    if (!select || !fields) { return; }
    var missing = select.value !== "";
    fields.classList.toggle("d-none", missing);
    fields.disabled = missing;  // a missing day sends no measurements

  }

  function setUpForm(form) {
    var box = form.querySelector("#live-score");
    var refresh = function () { if (box) { liveScore(form, box); } toggleMissing(form); };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit-once]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
    refresh();
  }

  function drawChart() {
    var canvas = document.getElementById("score-chart");
    var source = document.getElementById("score-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: canvas.getAttribute("aria-label"), data: data.scores, spanGaps: true }] },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { min: 1, max: 5, ticks: { stepSize: 1 } } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("observation-form");
    if (form) { setUpForm(form); }
    drawChart();
  });
})();
