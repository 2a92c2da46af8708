// The document viewer of a decruft report: a list of the embedded
// documents with a search box, and one document at a time with its removed
// lines struck through and tinted by reason. Data comes from the JSON
// island; nothing is fetched.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var docs = data.docs, reasons = data.reasons, hues = data.hues;
  var list = document.getElementById("doclist");
  var viewer = document.getElementById("viewer");
  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var items = [];
  var current = -1;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tint(reason) {
    var h = hues[reason] === undefined ? 0 : hues[reason];
    return "hsl(" + h + " 70% 90%)";
  }

  docs.forEach(function (d, i) {
    var li = el("li");
    li.dataset.doc = String(i);
    var name = el("span", "name", d.name);
    name.title = d.name;
    li.appendChild(name);
    li.appendChild(el("span", "n", d.removed + " removed"));
    li.addEventListener("click", function () { location.hash = "doc-" + i; show(i); });
    list.appendChild(li);
    items.push(li);
  });

  function filter() {
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    docs.forEach(function (d, i) {
      var hit = !q || d.name.toLowerCase().indexOf(q) >= 0 ||
        d.lines.some(function (l) { return l.toLowerCase().indexOf(q) >= 0; });
      items[i].style.display = hit ? "" : "none";
      if (hit) shown++;
    });
    count.textContent = shown + " of " + docs.length + " documents";
  }
  search.addEventListener("input", filter);
  filter();

  function show(i) {
    var d = docs[i];
    if (!d) return;
    if (current >= 0) items[current].classList.remove("on");
    current = i;
    items[i].classList.add("on");
    viewer.textContent = "";
    viewer.appendChild(el("h3", "", d.name));
    var meta = d.removed + " lines removed, " + (d.marks.length - d.removed) + " spans cut";
    if (d.enc) meta += " · " + d.enc;
    if (d.truncated) meta += " · shown in part (long document)";
    viewer.appendChild(el("p", "meta", meta));
    var used = {};
    d.marks.forEach(function (m) { used[reasons[m[1]]] = true; });
    var legend = el("p", "legend-row");
    Object.keys(used).sort().forEach(function (r) {
      var s = el("span", "", r);
      s.style.background = tint(r);
      legend.appendChild(s);
    });
    viewer.appendChild(legend);
    var whole = {}, spans = {};
    d.marks.forEach(function (m) {
      var reason = reasons[m[1]];
      if (m[2]) (spans[m[0]] = spans[m[0]] || []).push([m[2], reason]);
      else whole[m[0]] = reason;
    });
    var box = el("div", "lines");
    if (d.lines.length === 0) {
      // A record format shown by its removals only.
      d.marks.forEach(function (m) {
        var row = el("div", "ln rm");
        row.appendChild(el("span", "no", String(m[0])));
        var tx = el("span", "tx", m[2] || "(line " + m[0] + ")");
        tx.title = reasons[m[1]];
        tx.style.background = tint(reasons[m[1]]);
        row.appendChild(tx);
        box.appendChild(row);
      });
    }
    var q = search.value.trim().toLowerCase();
    d.lines.forEach(function (line, k) {
      var no = k + 1;
      var row = el("div", "ln");
      row.appendChild(el("span", "no", String(no)));
      var tx = el("span", "tx");
      if (whole[no] !== undefined) {
        row.classList.add("rm");
        tx.title = whole[no];
        tx.style.background = tint(whole[no]);
        tx.textContent = line;
      } else if (spans[no]) {
        var rest = line;
        spans[no].forEach(function (s) {
          var at = rest.indexOf(s[0]);
          if (at < 0) return;
          tx.appendChild(document.createTextNode(rest.slice(0, at)));
          var cut = el("span", "cut", s[0]);
          cut.title = s[1] + " (span cut)";
          tx.appendChild(cut);
          rest = rest.slice(at + s[0].length);
        });
        tx.appendChild(document.createTextNode(rest));
      } else if (q && line.toLowerCase().indexOf(q) >= 0) {
        var at = line.toLowerCase().indexOf(q);
        tx.appendChild(document.createTextNode(line.slice(0, at)));
        tx.appendChild(el("mark", "hit", line.slice(at, at + q.length)));
        tx.appendChild(document.createTextNode(line.slice(at + q.length)));
      } else {
        tx.textContent = line;
      }
      row.appendChild(tx);
      box.appendChild(row);
    });
    viewer.appendChild(box);
  }

  function route() {
    var m = /^#doc-(\d+)$/.exec(location.hash);
    if (m) {
      show(Number(m[1]));
      document.getElementById("documents").scrollIntoView();
    }
  }
  window.addEventListener("hashchange", route);
  if (/^#doc-/.test(location.hash)) route();
  else if (docs.length) show(0);
})();
