// Each cell of a Datasette table learns its column's name (from the heading above it),
// so that a row page can show one row as name/value pairs instead of a row of columns
// cut off at the right edge, and a phone can stack any table's cells.
document.addEventListener("DOMContentLoaded", function () {
document.querySelectorAll("table.rows-and-columns").forEach(function (table) {
  var names = Array.from(table.querySelectorAll("thead th")).map(function (th) {
    return th.dataset.column || th.textContent.trim();
  });
  table.querySelectorAll("tbody tr").forEach(function (tr) {
    Array.from(tr.children).forEach(function (td, i) {
      if (names[i]) { td.dataset.column = names[i]; }
    });
  });
  table.classList.add("kbuild-labelled");
});
});
