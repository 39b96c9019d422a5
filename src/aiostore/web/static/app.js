// Enhancements only: every page reads the same without this file. No inline script anywhere (strict
// CSP): chart data comes from <script type="application/json"> elements the server renders.
"use strict";

function drawCharts(root) {
  if (typeof window.Chart === "undefined") return;
  root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    if (canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
}

document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });

// Copy buttons (`data-copy` names the field to copy): shown only where the clipboard can be written.
function setUpCopy(root) {
  if (!navigator.clipboard) return;
  root.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      if (!source) return;
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () { setUpCopy(document); });

// A list refreshed on server events with `throttle:1s` (the Jobs page) drops the events that come inside
// the second, so the last state could stay unseen; one more refresh once the events stop shows it.
var tailTimer = null;
document.addEventListener("sse:job", function () {
  clearTimeout(tailTimer);
  tailTimer = setTimeout(function () {
    var list = document.querySelector("[data-sse-tail]");
    if (list) { htmx.trigger(list, "sse-tail"); }
  }, 1500);
});
