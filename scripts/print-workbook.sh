#!/usr/bin/env bash
# Prints a workbook through LibreOffice headless (as an auditor would, to PDF) and fails when
# it takes more pages than its budget, or when the sheets before the events take more than
# theirs. Usage: scripts/print-workbook.sh WORKBOOK.xlsx TOTAL_BUDGET FRONT_BUDGET
#
# The budgets for the bundled German sample month (4,000 events, 79 findings, 338 pages,
# 120 people), set in the Makefile: the front (summary 3 pages at a readable size, findings
# about 4, pages about 15 and people about 9 at three pages wide with the first column
# repeated, rules 1, access requests 1) within 36 pages; the whole within 160, the events
# printing about 45 rows a page, three pages wide with time and event repeated.
# Measured: 33 and 150 (before print layouts: 1,042, the summary squeezed onto one page).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 WORKBOOK.xlsx TOTAL_BUDGET FRONT_BUDGET" >&2; exit 64; }
workbook=$1 total_budget=$2 front_budget=$3
command -v soffice >/dev/null 2>&1 || { echo "$0: error: LibreOffice (soffice) is missing; scripts/install-deps.sh --test installs it" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A profile of its own, so a LibreOffice already running elsewhere does not take the job.
timeout 600 soffice -env:UserInstallation="file://$out/profile" --headless --convert-to pdf --outdir "$out" "$workbook" >/dev/null 2>&1
pdf="$out/$(basename "${workbook%.xlsx}").pdf"
[ -s "$pdf" ] || { echo "$workbook: error: LibreOffice printed nothing" >&2; exit 1; }
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
# The events sheets begin with the time column's header on every page.
front=0
for ((p = 1; p <= pages; p++)); do
    first=$(pdftotext -f "$p" -l "$p" "$pdf" - | sed -n 1p)
    case "$first" in "Zeit ("* | "Time ("*) break ;; esac
    front=$p
done
echo "$workbook: $pages pages printed, $front before the events (budgets $total_budget and $front_budget)"
status=0
if [ "$pages" -gt "$total_budget" ]; then echo "$workbook: error: $pages pages, over the budget of $total_budget" >&2; status=1; fi
if [ "$front" -gt "$front_budget" ]; then echo "$workbook: error: $front pages before the events, over the budget of $front_budget" >&2; status=1; fi
exit $status
