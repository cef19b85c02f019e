// Runs inside the /embed/ pages. WordPress frames an embed from a site it does not know with
// sandbox="allow-scripts", without allow-forms, so no form can submit there: a question's Continue
// would do nothing. Such a frame has an opaque origin ("null"). There, and only there, a click on
// a GET form's submit button (Enter in the form clicks it too) goes to the form's URL as a plain
// navigation, which the sandbox allows.
(function () {
  "use strict";
  if (self.origin !== "null") return;
  document.addEventListener(
    "click",
    function (e) {
      var b = e.target instanceof Element ? e.target.closest("button[type=submit], input[type=submit]") : null;
      var f = b && b.form;
      if (!f || f.method !== "get") return;
      e.preventDefault();
      e.stopPropagation();
      location.assign(f.action.split("?")[0] + "?" + new URLSearchParams(new FormData(f, b)));
    },
    true,
  );
})();
