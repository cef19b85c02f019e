// Progressive enhancement for the wizard. Everything works without this file; with it (and htmx),
// steps swap in place and focus, title and history behave as after a full page load.
(function () {
  "use strict";

  var main = function () { return document.getElementById("main"); };
  // In an iframe embed, history is off and the host page owns scrolling.
  var embedded = document.documentElement.hasAttribute("data-embed");

  // When this script's tag names htmx in data-htmx, htmx is loaded at the visitor's first sign of
  // intent (a pointer over the page, a touch, a key) rather than with the page: running it is
  // most of the page's main-thread work while a slow phone loads it, and a page that is only read
  // (a shared result) never needs it. Until it runs, links and forms are plain navigation, so a
  // tap that beats it still works as without JavaScript. (Embedded pages load htmx with the page
  // instead.) Once htmx has set itself up, <html> gets data-enhanced.
  var script = document.currentScript;
  var htmxSrc = script && script.getAttribute("data-htmx");
  var intents = ["pointerover", "pointerdown", "touchstart", "keydown"];
  function loadHTMX() {
    intents.forEach(function (type) { document.removeEventListener(type, loadHTMX, true); });
    if (window.htmx || !htmxSrc) return;
    var s = document.createElement("script");
    s.src = htmxSrc;
    s.onload = function () {
      // htmx sets itself up in a timeout of its own; this one runs after it.
      setTimeout(function () { document.documentElement.setAttribute("data-enhanced", ""); });
    };
    document.head.appendChild(s);
  }
  if (htmxSrc) {
    intents.forEach(function (type) { document.addEventListener(type, loadHTMX, { capture: true, passive: true }); });
  }

  // Before a question form is sent, rewrite the current history entry to include the chosen answer,
  // so the browser's Back button returns to this question with the answer still selected.
  document.addEventListener("htmx:before:request", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.question || embedded) return;
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
    // Embedded, the host page's embed.js decides about scrolling; never scroll it from here.
    if (!embedded && m.getBoundingClientRect().top < 0) window.scrollTo(0, 0);
    var announcer = document.getElementById("announcer");
    if (announcer) {
      announcer.textContent = "";
      // A fresh text node after a tick makes screen readers announce it even if unchanged.
      setTimeout(function () { announcer.textContent = document.title; }, 50);
    }
  });

  // Share controls: shown only where the browser can do them; the read-only field always works.
  function enableShare() {
    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.hidden = !(navigator.clipboard && navigator.clipboard.writeText);
    });
    document.querySelectorAll("[data-share]").forEach(function (b) {
      b.hidden = typeof navigator.share !== "function";
    });
  }
  function say(button, text) {
    var status = button.closest(".share").querySelector(".share-status");
    if (status) status.textContent = text;
  }
  document.addEventListener("click", function (e) {
    var copy = e.target.closest && e.target.closest("[data-copy]");
    var share = e.target.closest && e.target.closest("[data-share]");
    var field = copy ? document.getElementById(copy.dataset.copy) : share ? document.getElementById(share.dataset.share) : null;
    if (!field) return;
    if (copy) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(copy, "Link copied");
      }, function () {
        // Clipboard refused (e.g. a frame without clipboard-write): select it for the visitor.
        field.focus();
        field.select();
        say(copy, "Press Ctrl+C (or ⌘C) to copy the selected link");
      });
    } else {
      navigator.share({ title: document.title, url: field.value }).catch(function () {});
    }
  });
  document.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("share-url")) e.target.select();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enableShare);
  } else {
    enableShare();
  }
  document.addEventListener("htmx:after:swap", enableShare);

  // Print keeps the full detail: open every closed disclosure for the printout, and close them
  // again after. (The print stylesheet shows their content too, where the browser can.)
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  // A link into a closed disclosure ("Change your answers" to the list of them) opens it on the
  // way: Chromium does so itself, not every browser does.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#"]');
    var el = a && document.getElementById(a.getAttribute("href").slice(1));
    for (; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
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
