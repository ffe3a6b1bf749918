// The supervisors' page: draws the heat map, filters, drill-down and directives from one
// JSON endpoint (this page's address + "/data"). Plain script, no library, no build step.
"use strict";
(function () {
  var words = JSON.parse(document.getElementById("words").textContent);
  var dataUrl = location.pathname.replace(/\/$/, "") + "/data";
  var $ = function (id) { return document.getElementById(id); };
  var state = { data: null, parents: {}, wordOf: {} };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function get(query) {
    return fetch(dataUrl + (query || ""), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function under(unit, root) {
    for (var id = unit.id, guard = 0; id !== null && id !== undefined && guard < 64; guard++) {
      if (String(id) === root) return true;
      id = state.parents[id];
    }
    return false;
  }

  function options(select, pairs) {
    pairs.forEach(function (p) { select.appendChild(el("option", { value: p[0] }, p[1])); });
  }

  function setUp(data) {
    state.data = data;
    $("today").textContent = data.today;
    data.units.forEach(function (u) { state.parents[u.id] = u.parent; });
    data.standings.forEach(function (s) {
      state.wordOf[s.cell] = s.word;
      var item = el("li", { "class": "s-" + s.cell }, s.word);
      $("legend").appendChild(item);
    });
    var kinds = {}, parents = {};
    data.units.forEach(function (u) { kinds[u.kind] = 1; if (u.parent !== null) parents[u.parent] = 1; });
    options($("kind"), Object.keys(kinds).sort().map(function (k) { return [k, words.kinds[k] || k]; }));
    options($("subtree"), data.units.filter(function (u) { return parents[u.id]; })
      .map(function (u) { return [String(u.id), u.name]; }));
    ["kind", "subtree", "search"].forEach(function (id) { $(id).addEventListener("input", draw); });
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
    draw();
    directives(data.directives);
  }

  function chosen() {
    var kind = $("kind").value, root = $("subtree").value;
    var text = $("search").value.trim().toLowerCase();
    return state.data.units.filter(function (u) {
      return (!kind || u.kind === kind) && (!root || under(u, root)) &&
        (!text || u.name.toLowerCase().indexOf(text) >= 0 || u.code.toLowerCase().indexOf(text) >= 0);
    });
  }

  function draw() {
    var units = chosen(), table = el("table"), head = el("tr");
    head.appendChild(el("th", { scope: "col" }, ""));
    state.data.duties.forEach(function (d) { head.appendChild(el("th", { scope: "col" }, d.title)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    units.forEach(function (u) {
      var row = el("tr", { "data-unit": u.code });
      var name = row.appendChild(el("th", { scope: "row" }));
      var open = name.appendChild(el("button", { type: "button", "class": "unit" }, u.name));
      open.addEventListener("click", function () { drill(u.id); });
      for (var i = 0; i < u.cells.length; i++) {
        var c = u.cells.charAt(i);
        row.appendChild(el("td", { "class": "s-" + c }, state.wordOf[c] || ""));
      }
      body.appendChild(row);
    });
    $("map").replaceChildren(units.length ? table : el("p", {}, words.none));
    $("status").textContent = units.length + " / " + state.data.units.length;
  }

  function list(title, items, line) {
    var part = el("div");
    part.appendChild(el("h3", {}, title));
    var ul = part.appendChild(el("ul"));
    items.forEach(function (item) { ul.appendChild(el("li", {}, line(item))); });
    if (!items.length) ul.appendChild(el("li", {}, words.nothing));
    return part;
  }

  function drill(id) {
    get("?unit=" + encodeURIComponent(id)).then(function (d) {
      var box = $("unit");
      box.replaceChildren(el("h2", {}, d.unit.name + " (" + d.unit.code + ")"));
      box.appendChild(list(words.people, d.people, function (p) { return p.role + ": " + p.name; }));
      box.appendChild(list(words.open, d.open, function (o) {
        return o.duty + " · " + o.period + " · " + words.due + " " + o.due + " · " + o.word;
      }));
      box.appendChild(list(words.events, d.events, function (e) {
        return words.receipt + " " + e.reference + " · " + e.at + " · " + e.duty +
          (e.document ? " · " + e.document : "") + (e.file ? " · " + words.file + ": " + e.file : "");
      }));
      box.appendChild(el("p", {}, words.see));
      var close = box.appendChild(el("button", { type: "button" }, words.close));
      close.addEventListener("click", function () { box.hidden = true; });
      box.hidden = false;
      box.scrollIntoView();
    }).catch(function () { $("unit").hidden = true; });
  }

  function directives(items) {
    var box = $("directives");
    box.replaceChildren();
    if (!items.length) { box.appendChild(el("p", {}, words.nothing)); return; }
    items.forEach(function (d) {
      var item = box.appendChild(el("article", { "class": "directive" }));
      item.appendChild(el("h3", {}, d.name + (d.due ? " · " + words.due + " " + d.due : "")));
      item.appendChild(el("p", {}, d.text));
      item.appendChild(el("p", { "class": "counts" }, words.counts.replace(/\{(\w+)\}/g,
        function (all, key) { return key in d ? String(d[key]) : all; })));
    });
  }

  $("status").textContent = words.loading;
  get("").then(setUp).catch(function () {
    $("map").replaceChildren();
    $("status").textContent = "";
  });
})();
