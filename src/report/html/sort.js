// Sorts each table.sortable by a column on a header click: numbers (with
// thousands separators, a sign or a %) as numbers, other text as text; a
// second click reverses. The headers become buttons only here, so the page
// reads the same with scripts off.
(function () {
  function value(cell) {
    var t = cell.textContent.trim();
    var n = t.replace(/,/g, "").replace(/%$/, "");
    return /^[+-]?\d+(\.\d+)?$/.test(n) ? parseFloat(n) : t.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
    return typeof a === "number" ? -1 : 1;
  }
  function sort(table, th, col) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var c = compare(value(a.cells[col]), value(b.cells[col]));
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tBodies[0] || table.tBodies[0].rows.length < 2) return;
    table.querySelectorAll("thead th").forEach(function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = th.textContent;
      b.title = "sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () { sort(table, th, col); });
    });
  });
})();
