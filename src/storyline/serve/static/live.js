// The "what's new" page: prepend each event from /api/events/stream. Text only (textContent), never markup.
(function () {
  "use strict";
  var list = document.getElementById("events");
  if (!list || !window.EventSource) { return; }
  var after = list.getAttribute("data-after") || "0";
  var types = ["story.new", "story.grew", "fact.conflict", "quote.altered", "source.failing"];
  function count(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function describe(ev) {
    var d = ev.details || {};
    switch (ev.type) {
      case "story.new": return "new story, " + count(d.size || 0, "article") +
        ((d.outlets || []).length ? " from " + count(d.outlets.length, "outlet") : ", outlets unknown");
      case "story.grew": return "now " + count((d.outlets || []).length, "outlet") + " (was " + d.before + ")";
      case "fact.conflict": return "outlets disagree on " + d.kind + " (" + d.about + "): " +
        (d.values || []).map(function (v) { return v.value; }).join(" / ");
      case "quote.altered": return d.outlet + " altered a quote of " + (d.speaker || "someone") + " (" + d.kind + ")";
      case "source.failing": return d.failures + " failed polls: " + d.code + " " + d.reason;
      default: return ev.type;
    }
  }
  function add(msg) {
    var ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    var li = document.createElement("li");
    li.className = "event event-" + String(ev.type).replace(".", "-") + " fresh";
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = ev.type;
    var time = document.createElement("time");
    time.textContent = ev.at;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    var what;
    if (ev.story_id) {
      what = document.createElement("a");
      what.href = "/stories/" + encodeURIComponent(ev.story_id);
    } else {
      what = document.createElement("span");
    }
    what.textContent = ev.title || ev.story_id || "";
    li.appendChild(what);
    var d = document.createElement("span");
    d.className = "what";
    d.textContent = " " + describe(ev);
    li.appendChild(d);
    list.insertBefore(li, list.firstChild);
    var empty = document.getElementById("no-events");
    if (empty) { empty.remove(); }
  }
  var source = new EventSource("/api/events/stream?after=" + encodeURIComponent(after));
  types.forEach(function (t) { source.addEventListener(t, add); });
}());
