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

// A filter form fetches a query once. Enter in its search field is a change, a submit and a key-up, and
// each fetched the same list again and swapped it in, unticking what the seller had just ticked in it.
// So a request for the query already on its way is dropped, and so is one for the query already shown
// unless the form was submitted (the Filter button, or Enter alone, asks for a fresh list).
var filters = new WeakMap();

function filterQuery(form) { return new URLSearchParams(new FormData(form)).toString(); }

document.addEventListener("htmx:load", function (event) {
  var root = event.detail.elt;
  var forms = root.matches && root.matches("form.filters[hx-get]") ? [root] : [];
  root.querySelectorAll("form.filters[hx-get]").forEach(function (form) { forms.push(form); });
  forms.forEach(function (form) { filters.set(form, { shown: filterQuery(form), sending: null }); });
});

document.addEventListener("htmx:confirm", function (event) {
  var state = filters.get(event.detail.elt);
  if (!state) return;
  var query = filterQuery(event.detail.elt);
  var submitted = event.detail.triggeringEvent && event.detail.triggeringEvent.type === "submit";
  if (query === state.sending || (query === state.shown && !submitted && state.sending === null)) {
    event.preventDefault();
  }
});

document.addEventListener("htmx:beforeRequest", function (event) {
  var state = filters.get(event.detail.elt);
  if (state) state.sending = filterQuery(event.detail.elt);
});

document.addEventListener("htmx:afterRequest", function (event) {
  var state = filters.get(event.detail.elt);
  if (!state) return;
  if (event.detail.successful) state.shown = state.sending;
  state.sending = null;
});
