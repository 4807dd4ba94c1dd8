// Filter and sort the claims table (claims.html): plain JavaScript, no library, works offline.
(function () {
  "use strict";
  var table = document.getElementById("claims-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
  var rows = Array.prototype.slice.call(body.rows);
  var selects = document.querySelectorAll("select[data-column]");
  var counter = document.getElementById("claims-shown");

  function cellText(row, column) {
    var index = headers.indexOf(column);
    return index < 0 ? "" : row.cells[index].textContent.trim();
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = Array.prototype.every.call(selects, function (select) {
        return select.value === "" || cellText(row, select.getAttribute("data-column")) === select.value;
      });
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    if (counter) { counter.textContent = shown + " of " + rows.length + " claims shown"; }
  }

  Array.prototype.forEach.call(selects, function (select) {
    var values = [];
    rows.forEach(function (row) {
      var value = cellText(row, select.getAttribute("data-column"));
      if (values.indexOf(value) < 0) { values.push(value); }
    });
    values.sort().forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value === "" ? "(none)" : value;
      select.appendChild(option);
    });
    select.addEventListener("change", apply);
  });

  // Sorting: click a header (or press Enter on it); again to reverse. Grades sort by weight
  // (substantive first); ties keep their order (the sort is stable).
  var rank = { "substantive": 0, "minor": 1, "wording": 2, "transcription-dependent": 3 };
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.tabIndex = 0;
    th.setAttribute("aria-sort", "none");
    function sort() {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
        var rx = x in rank ? rank[x] : 9, ry = y in rank ? rank[y] : 9;
        var result = rx !== ry ? rx - ry : (x < y ? -1 : (x > y ? 1 : 0));
        return ascending ? result : -result;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
  });
  apply();
}());
