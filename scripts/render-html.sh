#!/usr/bin/env bash
# Renders report HTML files in headless Chromium: a PNG screenshot of each, and a check that
# no script ran (a hostile page title in the sample would change document.title if executed),
# and a check that the printed PDF carries the findings' evidence.
# Usage: scripts/render-html.sh REPORT.html...   (installs Debian's chromium when missing)
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 REPORT.html..." >&2; exit 64; }
if ! command -v chromium >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing chromium" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions)
status=0
for html in "$@"; do
    url="file://$(realpath "$html")"
    png="${html%.html}.png"
    timeout 120 chromium "${flags[@]}" --window-size=1280,2000 --screenshot="$png" "$url" >/dev/null 2>&1
    dom=$(timeout 120 chromium "${flags[@]}" --dump-dom "$url" 2>/dev/null)
    expected=$(grep -o '<title>[^<]*</title>' "$html" | head -1)
    actual=$(printf '%s' "$dom" | grep -o '<title>[^<]*</title>' | head -1)
    if [ -z "$actual" ] || [ "$actual" != "$expected" ]; then
        echo "$html: error: the page changed its own title ($actual); a script ran" >&2
        status=1
    elif printf '%s' "$dom" | grep -q '<script'; then
        echo "$html: error: the rendered page holds a script element" >&2
        status=1
    else
        echo "$png"
    fi
    # Printed, the evidence of the findings must be there (on screen it sits in a closed
    # <details>, which Chromium does not print).
    reference=$( (grep -o '<ul class="evidence"><li>[^<]*</li>' "$html" || true) | sed -n '1{s/.*<li>//; s/<\/li>//; p}')
    if [ -n "$reference" ] && command -v pdftotext >/dev/null 2>&1; then
        pdf="${html%.html}.pdf"
        timeout 120 chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$pdf" "$url" >/dev/null 2>&1
        if ! pdftotext "$pdf" - | tr -d ' \n' | grep -qF "$(printf '%s' "$reference" | tr -d ' ')"; then
            echo "$html: error: the printed report lacks the evidence '$reference'" >&2
            status=1
        fi
    fi
done
exit $status
