#!/usr/bin/env bash
# Vendor the book's front-end scripts from the npm registry into $1 (default _vendor), so that the built
# site needs no CDN: MathJax 3 (math), require.js and the Jupyter widgets HTML manager (saved widgets).
# Sphinx copies $1 into the site root (html_extra_path), NOT into _static, where Jupyter Book would add
# every .js file to every page.
set -euo pipefail
out=${1:-_vendor}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() { (cd "$tmp" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz && mv package "$2"); }
fetch mathjax@3.2.2 mathjax
fetch requirejs@2.3.8 requirejs
fetch @jupyter-widgets/html-manager@1.0.15 widgets
rm -rf "$out" && mkdir -p "$out/mathjax" "$out/require" "$out/widgets"
# MathJax: the combined CHTML component plus the fonts and extensions it loads lazily.
cp "$tmp/mathjax/es5/tex-chtml-full.js" "$out/mathjax/"
cp -r "$tmp/mathjax/es5/output" "$tmp/mathjax/es5/input" "$tmp/mathjax/es5/a11y" "$tmp/mathjax/es5/ui" "$out/mathjax/" 2>/dev/null || true
cp "$tmp/requirejs/require.js" "$out/require/require.min.js"
cp "$tmp/widgets/dist/embed-amd.js" "$out/widgets/embed-amd.js"
cp "$tmp/mathjax/LICENSE" "$out/mathjax/LICENSE"
cp "$tmp/widgets/LICENSE" "$out/widgets/LICENSE" 2>/dev/null || true
touch "$out/.stamp"
du -sh "$out"
