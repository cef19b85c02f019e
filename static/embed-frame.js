// Runs inside the /embed/ pages: tells the host page (embed.js) how tall the wizard is and what
// the visitor is doing, so the iframe can fit its content and the host can react. The messages
// carry no more than the share link shows; frame-ancestors limits which sites can receive them.
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.getElementById("embed-root");
  if (!root || typeof ResizeObserver === "undefined") return;

  function post(type, data) {
    var msg = { type: "nest-next-wizard:" + type, v: 1 };
    for (var k in data) msg[k] = data[k];
    window.parent.postMessage(msg, "*");
  }

  // The wrapper's own box, not html/body: their height would follow the iframe's and grow forever.
  function height() {
    var style = getComputedStyle(document.body);
    return Math.ceil(root.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
  }

  var last = -1;
  new ResizeObserver(function () {
    var h = height();
    if (h !== last) {
      last = h;
      post("resize", { height: h });
    }
  }).observe(root);

  // "Open in a new tab" sits outside <main>, which is all a step swaps: take this page's own
  // address from main's data-open-url (server-rendered, like the link itself on a full load).
  function openLink() {
    var m = document.getElementById("main");
    var a = document.querySelector(".embed-bar a");
    var u = m && m.getAttribute("data-open-url");
    if (a && u) a.href = u;
  }

  // One step event per question shown: a question shown again with its error (the 422 for
  // Continue with nothing chosen) is the same step, not a new one.
  var lastStep = "";
  function step() {
    openLink();
    var form = document.querySelector("form[data-question]");
    var result = document.querySelector("[data-outcome]");
    if (form) {
      if (form.dataset.question === lastStep) return;
      lastStep = form.dataset.question;
      post("step", { question: form.dataset.question, index: Number(form.dataset.step) || 0 });
    } else if (result) {
      lastStep = "";
      // A team page's shareUrl is the team link, and team says so.
      post("complete", { recommendation: result.dataset.outcome, shareUrl: result.dataset.shareUrl, team: result.hasAttribute("data-team") });
    } else {
      lastStep = "";
    }
  }

  post("ready", { height: height() });
  step();
  document.addEventListener("htmx:after:swap", step);
})();
