/* kan_edu book: search result snippets show prose, not code, figure players or raw TeX.
   Sphinx's searchtools.js builds a snippet from the page's text after removing only header links, scripts and
   styles; this replaces that step (before the search runs) and also removes code cells, outputs and math. */
window.addEventListener("DOMContentLoaded", function () {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  var REMOVE = [".headerlink", "script", "style", "pre", ".cell_input", ".cell_output", ".kanfig", ".math",
                ".katex", ".highlight", "nav", ".prev-next-area"];
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    REMOVE.forEach(function (q) { doc.querySelectorAll(q).forEach(function (el) { el.remove(); }); });
    var main = doc.querySelector('[role="main"]');
    var block = anchor && main ? main.querySelector(anchor) : null;
    var text = (block || main || doc.body).textContent || "";
    return text.replace(/\s+/g, " ");
  };
});
