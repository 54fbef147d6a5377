(function () {
  "use strict";
  var me = document.currentScript, ID = "nd-livereload-overlay";
  var url = me.dataset.events, epoch = Number(me.dataset.epoch), server = me.dataset.server;
  var source = null, hidden = null;

  function render(problems) {
    var box = document.createElement("section"), alert = document.createElement("div");
    var title = document.createElement("p"), list = document.createElement("ul");
    var hint = document.createElement("p"), hide = document.createElement("button");
    box.id = ID; box.className = "nd-livereload"; box.lang = "en"; box.dir = "ltr";
    box.setAttribute("aria-labelledby", "nd-livereload-title");
    alert.setAttribute("role", "alert");
    title.id = "nd-livereload-title"; title.className = "nd-livereload__title";
    title.textContent = "The site did not rebuild. This page is the last good version.";
    list.className = "nd-livereload__list";
    problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; list.appendChild(li); });
    hint.className = "nd-livereload__hint";
    hint.textContent = "Fix the file and save: the page reloads by itself.";
    hide.type = "button"; hide.className = "nd-livereload__hide"; hide.textContent = "Hide";
    alert.append(title, list, hint);
    box.append(alert, hide);
    return box;
  }
  function shown(box) {
    return box ? Array.prototype.map.call(box.querySelectorAll("li"), function (li) { return li.textContent; }) : [];
  }
  function show(problems) {
    var old = document.getElementById(ID), key = JSON.stringify(problems);
    if (!problems.length) { hidden = null; if (old) old.remove(); return; }
    if (key === hidden || (old && JSON.stringify(shown(old)) === key)) return;
    var box = render(problems);
    if (old) old.replaceWith(box); else document.body.appendChild(box);
  }
  document.addEventListener("click", function (e) {
    var box = document.getElementById(ID);
    if (box && e.target.closest && e.target.closest(".nd-livereload__hide")) {
      hidden = JSON.stringify(shown(box)); box.remove();
    }
  });
  function close() { if (source) { source.close(); source = null; } }
  function connect() {
    if (source) return;
    source = new EventSource(url);
    source.addEventListener("state", function (e) {
      var s = JSON.parse(e.data);
      if (s.server !== server || s.epoch > epoch) { close(); location.reload(); return; }
      show(s.problems);
    });
  }
  // Only visible tabs hold a connection: browsers allow about six per host.
  document.addEventListener("visibilitychange", function () { if (document.hidden) close(); else connect(); });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function () { if (!document.hidden) connect(); });
  if (!document.hidden) connect();
})();
