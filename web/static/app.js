// Basis staff UI: a little keyboard help and auto-submitting selects.
// No inline handlers anywhere: the page CSP allows only this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js"); // hides the buttons only needed without it
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.lead"));
  if (!rows.length) { return; }
  var at = 0;
  function focus(i) {
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r) { r.classList.remove("focus"); });
    rows[at].classList.add("focus");
    rows[at].focus();
  }
  function submit(action) {
    var form = document.getElementById("review-form");
    if (!form) { return; }
    if (!form.querySelector("input[name=id]:checked")) {
      var box = rows[at].querySelector("input[name=id]");
      if (box) { box.checked = true; }
    }
    var btn = document.getElementById("bulk-" + action);
    if (btn) { btn.click(); }
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "INPUT" && e.target.type !== "checkbox" || t === "TEXTAREA" || t === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    switch (e.key) {
      case "j": focus(at + 1); break;
      case "k": focus(at - 1); break;
      case "x": var b = rows[at].querySelector("input[name=id]"); if (b) { b.checked = !b.checked; } break;
      case "a": submit("accept"); break;
      case "r": submit("reject"); break;
      case "o": case "Enter": window.location = rows[at].getAttribute("data-href"); break;
      default: return;
    }
    e.preventDefault();
  });
  focus(0);
})();

// Live preview of a campaign being written: the form is rendered by the
// server for a sample recipient; the HTML goes into a sandboxed frame.
(function () {
  "use strict";
  var form = document.getElementById("campaign-form");
  if (!form) { return; }
  var timer = null;
  function show(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function update() {
    fetch("/campaigns/preview", { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        var err = document.getElementById("preview-error");
        err.hidden = !p.error;
        err.textContent = p.error || "";
        show("preview-subject", p.subject || "");
        show("preview-text", p.text || "");
        var frame = document.getElementById("preview-html");
        frame.hidden = !p.html;
        if (p.html) { showHTML(); }
      })
      .catch(function () {});
  }
  // The HTML is posted into the frame, which gets its own sandbox policy
  // from the server (a srcdoc frame would inherit this page's).
  function showHTML() {
    var b = document.createElement("button");
    b.hidden = true;
    b.formAction = "/campaigns/preview/html";
    b.formMethod = "post";
    b.formTarget = "preview-html";
    b.formNoValidate = true;
    form.appendChild(b);
    form.requestSubmit(b);
    form.removeChild(b);
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
  if (!document.getElementById("preview-html").hidden) { showHTML(); }
})();
