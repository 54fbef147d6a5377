(function () {
  "use strict";
  var me = document.currentScript, ID = "nd-livereload-overlay";
  var url = me.dataset.events, epoch = Number(me.dataset.epoch), server = me.dataset.server;
  var base = me.dataset.base, page = me.dataset.page;
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
  // A changed stylesheet is fetched again in place: the page keeps its scroll position and state.
  function swap(styles) {
    Array.prototype.forEach.call(document.querySelectorAll('link[rel~="stylesheet"]'), function (link) {
      var path = new URL(link.href, location.href).pathname;
      if (path.indexOf(base) === 0 && styles.indexOf(decodeURIComponent(path.slice(base.length))) >= 0) {
        var fresh = link.cloneNode();
        fresh.href = path + "?livereload=" + epoch;
        fresh.addEventListener("load", function () { link.remove(); });
        link.after(fresh);
      }
    });
  }
  // What of the head shapes the page: it must be the same for the new body to be enough. The
  // rest (the title, descriptions, links to other versions, structured data) is inert, and
  // taken from the new page as it is.
  var ACTIVE = 'link[rel~="stylesheet"], style, script:not([type="application/ld+json"]), base, ' +
               'meta[name="viewport"], meta[name="color-scheme"], meta[http-equiv]';
  function head(doc) {
    return Array.prototype.map.call(doc.head.querySelectorAll(ACTIVE), function (e) { return e.outerHTML; }).join("\n");
  }
  function carry(doc) {
    Array.prototype.forEach.call(Array.prototype.slice.call(document.head.children), function (e) {
      if (!e.matches(ACTIVE)) e.remove();
    });
    Array.prototype.forEach.call(Array.prototype.slice.call(doc.head.children), function (e) {
      if (!e.matches(ACTIVE)) document.head.appendChild(document.adoptNode(e));
    });
  }
  // The page again, its new body put in place of the old: no flash, the scroll position kept, and
  // nothing fetched but the page. A page whose stylesheets, scripts or language changed, or that
  // runs a script of its own, is reloaded instead.
  var asked = 0;  // the latest refresh: an earlier one that answers late is dropped
  function refresh() {
    var mine = ++asked;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (text) {
      if (mine !== asked) return;
      var doc = new DOMParser().parseFromString(text, "text/html");
      var fresh = doc.querySelector("script[data-events]");
      if (!fresh || head(doc) !== head(document) || doc.documentElement.lang !== document.documentElement.lang ||
          doc.body.querySelectorAll("script:not([type='application/ld+json'])").length !== 1) { location.reload(); return; }
      carry(doc);
      epoch = Number(fresh.dataset.epoch);
      document.body.replaceWith(document.adoptNode(doc.body));
    }).catch(function () { location.reload(); });
  }
  function close() { if (source) { source.close(); source = null; } }
  function connect() {
    if (source) return;
    // The server says, for this page and the build it shows, whether to reload (page: absent for
    // a page made on request, which reloads after every build).
    var query = "?epoch=" + epoch + (page === undefined ? "" : "&page=" + encodeURIComponent(page));
    source = new EventSource(url + query);
    source.addEventListener("state", function (e) {
      var s = JSON.parse(e.data);
      if (s.server !== server) { close(); location.reload(); return; }
      if (s.reload) { epoch = s.epoch; refresh(); return; }
      if (s.epoch > epoch) { epoch = s.epoch; if (s.styles.length) swap(s.styles); }
      show(s.problems);
    });
  }
  // Only visible tabs hold a connection: browsers allow about six per host.
  document.addEventListener("visibilitychange", function () { if (document.hidden) close(); else connect(); });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function () { if (!document.hidden) connect(); });
  if (!document.hidden) connect();
})();
