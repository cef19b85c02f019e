// Progressive enhancement for the wizard. Everything works without this file; with it (and htmx),
// steps swap in place and focus, title and history behave as after a full page load.
(function () {
  "use strict";

  var main = function () { return document.getElementById("main"); };

  // Before a question form is sent, rewrite the current history entry to include the chosen answer,
  // so the browser's Back button returns to this question with the answer still selected.
  document.addEventListener("htmx:before:request", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.question) return;
    var params = new URLSearchParams(new FormData(form));
    params.delete("q");
    if (!params.get(form.dataset.question)) return;
    // htmx marks its own entries with {htmx: true}; keep or add that so it restores this one.
    history.replaceState(history.state || { htmx: true }, "", "/q/" + encodeURIComponent(form.dataset.question) + "?" + params.toString());
  });

  // After a step is swapped in: update the title, move focus to the error summary or the heading
  // without scrolling, bring the top of the page into view, and tell screen readers what changed.
  document.addEventListener("htmx:after:swap", function (e) {
    var m = main();
    var ctx = e.detail && e.detail.ctx;
    if (!m || !ctx || !(ctx.target === m || m.contains(ctx.target))) return;
    if (ctx.title) document.title = ctx.title;
    var target = m.querySelector(".error-summary") || m.querySelector("h1");
    if (target) target.focus({ preventScroll: true });
    if (m.getBoundingClientRect().top < 0) window.scrollTo(0, 0);
    var announcer = document.getElementById("announcer");
    if (announcer) {
      announcer.textContent = "";
      // A fresh text node after a tick makes screen readers announce it even if unchanged.
      setTimeout(function () { announcer.textContent = document.title; }, 50);
    }
  });

  // If a swap fails (network error, an unexpected response), fall back to a normal page load.
  document.addEventListener("htmx:error", function (e) {
    var ctx = e.detail && e.detail.ctx;
    if (ctx && ctx.request && ctx.request.method === "GET") {
      location.assign((ctx.response && ctx.response.raw && ctx.response.raw.url) || ctx.request.action);
    }
  });
})();
