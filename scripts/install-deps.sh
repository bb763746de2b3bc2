#!/usr/bin/env bash
# Installs the Debian packages audit-report builds against, if any is missing.
# Needs root (as CI runs) or sudo.
set -euo pipefail
packages=(libxlsxwriter-dev zlib1g-dev libisal-dev libssl-dev pkg-config)
# The tests also write a workbook under a German locale (LC_NUMERIC must not leak into numbers),
# read the printed HTML's text (poppler's pdftotext) and print the sample workbook (LibreOffice).
# The collect server's tests get a certificate from openssl and post over HTTPS with curl.
[ "${1:-}" = "--test" ] && packages+=(locales poppler-utils openssl curl ca-certificates)
# Any LibreOffice will do; a fresh machine gets the one without a GUI.
if [ "${1:-}" = "--test" ] && ! command -v soffice >/dev/null 2>&1; then packages+=(libreoffice-calc-nogui); fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
generate_de_locale() {
    [ "${1:-}" = "--test" ] || return 0
    locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 0
    echo "generating the de_DE.UTF-8 locale" >&2
    $sudo sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
    grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
    $sudo locale-gen >/dev/null
}
# The tests validate the report twin against its JSON Schema and read JSON lines with DuckDB.
install_python_test_tools() {
    [ "${1:-}" = "--test" ] || return 0
    python3 -c 'import jsonschema, duckdb' 2>/dev/null && return 0
    echo "installing Python test tools: jsonschema duckdb" >&2
    python3 -m pip install --quiet --disable-pip-version-check jsonschema duckdb 2>&1 | grep -v 'Running pip as the' >&2 || true
    python3 -c 'import jsonschema, duckdb'
}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -eq 0 ]; then
    generate_de_locale "${1:-}"
    install_python_test_tools "${1:-}"
    exit 0
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
generate_de_locale "${1:-}"
install_python_test_tools "${1:-}"
