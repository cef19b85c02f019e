/*! NestJS, Next.js, or both? decision wizard: embed script. No dependencies, no cookies, no storage.
 * <div data-nest-next-wizard></div><script src="https://WIZARD/embed.js" async></script>
 * Options on the div: data-accent="#rrggbb", data-theme="light|dark|auto", data-intro="hide", data-title.
 * An <iframe data-nest-next-wizard src="https://WIZARD/embed/..."> (the oEmbed HTML) is adopted as it is.
 * Events on the div (bubbling): nest-next-wizard:ready, :step {question, index}, :complete {recommendation, shareUrl, team}.
 */
(function () {
  "use strict";
  // currentScript is only set while this file first runs (async and defer included): read it now.
  var script = document.currentScript;
  if (!script || !script.src || typeof URL !== "function") return;
  var origin = new URL(script.src, location.href).origin;
  var NS = "nest-next-wizard";
  var DONE = "data-" + NS + "-ready";
  var frames = []; // {el, iframe, height}

  function query(el) {
    var q = [];
    var accent = el.getAttribute("data-accent");
    var theme = el.getAttribute("data-theme");
    if (accent && /^#[0-9a-f]{6}$/i.test(accent)) q.push("accent=" + accent.slice(1).toLowerCase());
    if (theme === "light" || theme === "dark") q.push("theme=" + theme);
    if (el.getAttribute("data-intro") === "hide") q.push("intro=0");
    return q.length ? "?" + q.join("&") : "";
  }

  function mount(el) {
    el.setAttribute(DONE, "");
    // An iframe that is already the wizard (the oEmbed HTML) is sized, not replaced.
    if (el.tagName === "IFRAME") {
      if (new URL(el.src, location.href).origin === origin) frames.push({ el: el, iframe: el, height: el.offsetHeight });
      return;
    }
    var f = document.createElement("iframe");
    f.src = origin + "/embed/" + query(el);
    f.title = el.getAttribute("data-title") || "NestJS, Next.js, or both? decision wizard";
    f.setAttribute("loading", "lazy");
    f.setAttribute("allow", "clipboard-write; web-share");
    // CSSOM properties, not a style attribute: a host CSP without 'unsafe-inline' allows these.
    var s = f.style;
    s.display = "block";
    s.width = "100%";
    s.border = "0";
    s.height = "640px";
    // Whatever the host put inside (a fallback link, say) gives way to the wizard.
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(f);
    frames.push({ el: el, iframe: f, height: 640 });
  }

  function scan() {
    var els = document.querySelectorAll("[data-" + NS + "]:not([" + DONE + "])");
    for (var i = 0; i < els.length; i++) mount(els[i]);
  }

  function emit(el, name, detail) {
    el.dispatchEvent(new CustomEvent(NS + ":" + name, { bubbles: true, detail: detail }));
  }

  // A bound, not a layout: a result with every disclosure open on a narrow phone is well under
  // it (docs/integrating.md, Embedding), and it stops a runaway frame from growing the host page for ever.
  var MAX = 40000;
  function resize(fr, h) {
    if (typeof h !== "number" || !isFinite(h)) return;
    h = Math.round(Math.min(MAX, Math.max(200, h)));
    if (h === fr.height) return;
    var shrink = h < fr.height;
    fr.height = h;
    fr.iframe.style.height = h + "px";
    // The wizard got shorter while its top was scrolled away: the visitor could be left facing
    // whatever follows it, so bring its top into view. Otherwise the host page never scrolls.
    if (shrink && fr.iframe.getBoundingClientRect().top < 0) fr.iframe.scrollIntoView({ block: "start" });
  }

  // Only the wizard's origin, only from a frame this script made, only this protocol's messages.
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.source) return;
    var d = e.data;
    if (!d || typeof d.type !== "string" || d.type.indexOf(NS + ":") !== 0 || d.v !== 1) return;
    var fr;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].iframe.contentWindow === e.source) fr = frames[i];
    }
    if (!fr) return;
    switch (d.type.slice(NS.length + 1)) {
      case "resize":
        resize(fr, d.height);
        break;
      case "ready":
        resize(fr, d.height);
        emit(fr.el, "ready", {});
        break;
      case "step":
        emit(fr.el, "step", { question: String(d.question), index: Number(d.index) || 0 });
        break;
      case "complete":
        emit(fr.el, "complete", { recommendation: String(d.recommendation), shareUrl: String(d.shareUrl), team: d.team === true });
    }
  });

  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  // Containers added later (single-page apps, htmx swaps) are picked up too. A removed iframe has
  // no contentWindow, so its entry never matches a message again.
  if (typeof MutationObserver === "function") {
    new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
