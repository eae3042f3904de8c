// Draws each report table's chart with the vendored Chart.js; the data comes from the page (json_script).
(function () {
  "use strict";
  // Colours come with the data, one per meaning across every chart (reports/metrics/colours.py).

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var doughnut = spec.kind === "doughnut";
    var hasLine = spec.series.some(function (s) { return s.line; });
    var datasets = spec.series.map(function (s) {
      var colour = s.colour;
      if (doughnut) return { label: s.label, data: s.data, backgroundColor: spec.palette };
      return {
        label: s.label,
        data: s.data,
        type: s.line ? "line" : spec.kind,
        yAxisID: s.line ? "percent" : "y",
        backgroundColor: colour,
        borderColor: colour,
        tension: 0.2,
      };
    });
    var scales = {};
    if (!doughnut) {
      scales.x = { stacked: spec.stacked };
      scales.y = { stacked: spec.stacked, beginAtZero: true };
      if (hasLine) scales.percent = { position: "right", beginAtZero: true, suggestedMax: 100, grid: { drawOnChartArea: false } };
    }
    new window.Chart(canvas, {
      type: doughnut ? "doughnut" : spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales, plugins: { legend: { position: "bottom" } } },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
