#!/usr/bin/env bash
# Vendor the book's front-end scripts from the npm registry into $1 (default _vendor), so that the built
# site needs no CDN: KaTeX (math), require.js and the Jupyter widgets HTML manager (saved widgets).
# Sphinx copies $1 into the site root (html_extra_path), NOT into _static, where Jupyter Book would add
# every .js file to every page.
set -euo pipefail
out=${1:-_vendor}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() { (cd "$tmp" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz && mv package "$2"); }
fetch katex@0.16.11 katex
fetch requirejs@2.3.8 requirejs
fetch @jupyter-widgets/html-manager@1.0.15 widgets
rm -rf "$out" && mkdir -p "$out/katex/fonts" "$out/require" "$out/widgets"
# KaTeX: the script, the stylesheet and its woff2 fonts (every browser that runs KaTeX reads woff2, the first
# format the stylesheet offers, so the woff and ttf copies would never load).
cp "$tmp/katex/dist/katex.min.js" "$tmp/katex/dist/katex.min.css" "$out/katex/"
cp "$tmp/katex/dist/fonts/"*.woff2 "$out/katex/fonts/"
cp "$tmp/requirejs/require.js" "$out/require/require.min.js"
cp "$tmp/widgets/dist/embed-amd.js" "$out/widgets/embed-amd.js"
cp "$tmp/katex/LICENSE" "$out/katex/LICENSE"
cp "$tmp/widgets/LICENSE" "$out/widgets/LICENSE" 2>/dev/null || true
touch "$out/.stamp"
du -sh "$out"
