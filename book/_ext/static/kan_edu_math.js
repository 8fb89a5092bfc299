/* kan_edu book: typeset every formula of the page with the vendored KaTeX (book/_ext/katex_math.py).
   Sphinx leaves TeX in span.math (inline, \( ... \)) and div.math (display, \[ ... \], after its span.eqno).
   A formula KaTeX cannot read is shown in red with its TeX (class katex-error); the tests look for those. */
(function () {
  function typeset(el) {
    var display = el.tagName === "DIV";
    var tex = "";
    var texts = [];
    el.childNodes.forEach(function (node) {
      if (node.nodeType === 3) { tex += node.nodeValue; texts.push(node); }
    });
    tex = tex.trim();
    if (/^\\[\(\[]/.test(tex)) tex = tex.slice(2, -2);
    var out = document.createElement("span");
    out.className = display ? "kan-math-display" : "kan-math-inline";
    katex.render(tex, out, {displayMode: display, throwOnError: false, strict: "ignore", output: "htmlAndMathml"});
    texts.forEach(function (node) { node.remove(); });
    el.appendChild(out);
  }
  function all() {
    document.querySelectorAll(".math").forEach(function (el) {
      if (!el.querySelector(".katex")) typeset(el);
    });
    document.documentElement.setAttribute("data-math", "typeset");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
