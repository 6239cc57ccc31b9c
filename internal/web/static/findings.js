// The findings list's keyboard help: "select all" ticks every row of the
// page; j/k move between rows, x ticks the current row, Enter opens it.
// Everything also works without this script, with Tab and Space.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.finding-row"));
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      table.querySelectorAll("input.row-check").forEach(function (c) { c.checked = all.checked; });
    });
  }
  var current = -1;
  function focusRow(i) {
    if (i < 0 || i >= rows.length) return;
    if (current >= 0) rows[current].classList.remove("current");
    current = i;
    rows[i].classList.add("current");
    var link = rows[i].querySelector("a.finding-link");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (e.ctrlKey || e.metaKey || e.altKey || t === "INPUT" || t === "SELECT" || t === "TEXTAREA") return;
    if (e.key === "j") { focusRow(current + 1); e.preventDefault(); }
    else if (e.key === "k") { focusRow(Math.max(current - 1, 0)); e.preventDefault(); }
    else if (e.key === "x" && current >= 0) {
      var c = rows[current].querySelector("input.row-check");
      if (c) c.checked = !c.checked;
      e.preventDefault();
    }
  });
})();
