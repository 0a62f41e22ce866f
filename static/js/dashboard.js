// Results dashboard: the day-by-day chart (median line and IQR band per arm) and the print button.
// Data come from a json_script block next to the canvas; no inline scripts (CSP).
(function () {
  "use strict";
  var COLOURS = ["#0d6efd", "#d63384", "#198754", "#fd7e14"];

  function withAlpha(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function datasets(data) {
    var sets = [];
    data.series.forEach(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      sets.push({ label: s.label + " Q3", data: s.q3, borderWidth: 0, pointRadius: 0, fill: false, iqr: true });
      sets.push({ label: s.label + " " + data.text.iqr, data: s.q1, borderWidth: 0, pointRadius: 0,
                  backgroundColor: withAlpha(colour, 0.15), fill: "-1", iqr: true });
      sets.push({ label: s.label + " " + data.text.median, data: s.median, borderColor: colour,
                  backgroundColor: colour, borderWidth: 2, pointRadius: 3, fill: false, spanGaps: true });
    });
    return sets;
  }

  function draw(canvas) {
    if (typeof Chart === "undefined") { return; }
    var source = document.getElementById(canvas.dataset.chartData);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var existing = Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.days, datasets: datasets(data) },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { title: { display: true, text: data.text.day } },
                  y: { title: { display: true, text: data.text.score }, suggestedMin: 0, suggestedMax: 5 } },
        plugins: { legend: { labels: { boxWidth: 12, filter: function (item, chart) {
          return !chart.datasets[item.datasetIndex].label.endsWith(" Q3");
        } } } }
      }
    });
  }

  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("canvas[data-chart-data]").forEach(draw);
    if (root.matches && root.matches("canvas[data-chart-data]")) { draw(root); }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  if (window.htmx) { window.htmx.onLoad(init); } else { document.addEventListener("DOMContentLoaded", function () { init(document); }); }
})();
