#!/usr/bin/env bash
# make bench-instructions: the work of each job in instructions (callgrind), beside the seconds of
# bench/run.sh. On this shared 2-core machine the floor's own wall time moves by a third from hour
# to hour, so a change worth a few percent cannot be seen in seconds; instructions do not move.
# They count the work of every thread together (valgrind runs one thread at a time), so a ratio
# here is of CPU work, not of wall time: with two cores busy the report's wall time is below its
# share of the work. Writes bench/instructions.md. Not part of the test suite.
# Settings: EVENTS=100000 (callgrind runs about 50 times slower than the job).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-100000}
DATA=bench/data/instructions-$EVENTS
mkdir -p "$DATA"
scripts/install-deps.sh
command -v valgrind >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null; }
swift build -c release --product audit-report >/dev/null
# Valgrind gives up on the toolchain's debug information ("possibly corrupted debuginfo"); the
# symbol table is enough to name functions.
strip --strip-debug -o "$DATA/audit-report" .build/release/audit-report
export AUDIT_REPORT_RESOURCES=$PWD
BIN=$DATA/audit-report
cc -O2 bench/floor.c -o "$DATA/floor" $(pkg-config --cflags --libs xlsxwriter)
if [ ! -f "$DATA/.as-delivered" ]; then
    $BIN sample --month 2026-10 --events "$EVENTS" --seed 11 --newest-first --output-dir "$DATA" >/dev/null
    touch "$DATA/.as-delivered"
fi
csv="$DATA/sample-2026-10.csv"; siem="$DATA/sample-2026-10-siem.jsonl"
$BIN convert "$csv" -o "$DATA/normalized.csv" --quiet >/dev/null

declare -A I
# count NAME CMD...: instructions of the whole run, every thread.
count() {
    local name=$1; shift
    rm -rf "$DATA/out-$name"
    valgrind --tool=callgrind --callgrind-out-file="$DATA/callgrind.$name" "$@" >/dev/null 2>"$DATA/callgrind.$name.log" \
        || { cat "$DATA/callgrind.$name.log" >&2; exit 1; }
    I[$name]=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$DATA/callgrind.$name.log")
}
count convert $BIN convert "$csv" -o "$DATA/out-convert.xlsx" --quiet
count report $BIN report "$csv" "$siem" --month 2026-10 --output-dir "$DATA/out-report" --quiet
count dry $BIN report "$csv" "$siem" --month 2026-10 --dry-run --quiet
count floor "$DATA/floor" "$DATA/normalized.csv" "$DATA/out-floor.xlsx"

g() { python3 -c "print(f'{$1/1e9:.2f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
# top NAME: the job's ten costliest functions by their own instructions, and their share.
top() {
    callgrind_annotate "$DATA/callgrind.$1" 2>/dev/null | python3 -c '
import re, sys
total = None
rows = []
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)", line)
    if not m: continue
    if "PROGRAM TOTALS" in m.group(3): continue
    name = m.group(3)
    where = re.search(r"\[(.*)\]\s*$", name)
    lib = where.group(1).rsplit("/", 1)[-1] if where else ""
    fn = re.sub(r"\s*\[.*\]\s*$", "", name).split(":", 1)[-1]
    rows.append((m.group(2), fn, lib))
rows = rows[:12]
# Swift names demangled, in their short form.
import subprocess
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(r[1] for r in rows),
                       capture_output=True, text=True).stdout.splitlines()
for (share, fn, lib), name in zip(rows, names):
    print(f"| {share}% | `{name[:100]}` | {lib} |")
'
}
# objects NAME: the job's instructions by the library (or program) they run in.
objects() {
    callgrind_annotate --threshold=100 "$DATA/callgrind.$1" 2>/dev/null | python3 -c '
import re, sys, collections
by = collections.Counter()
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
    if not m or "PROGRAM TOTALS" in m.group(2): continue
    where = re.search(r"\[(.*)\]\s*$", m.group(2))
    lib = where.group(1).rsplit("/", 1)[-1] if where else "?"
    by[lib] += int(m.group(1).replace(",", ""))
total = sum(by.values())
for lib, n in by.most_common(10):
    if n < 10_000_000: break
    print(f"| {lib} | {n / 1e9:.2f} | {100 * n / total:.1f}% |")
'
}
{
    echo "# Instructions per job"
    echo
    echo "Counted by callgrind ($(valgrind --version)) on \`audit-report sample --seed 11 --newest-first --events $EVENTS\`,"
    echo "build $(git rev-parse --short HEAD), $(date -u +%Y-%m-%d). Every thread's instructions together: the work, not the wall time."
    echo "Under valgrind, OpenSSL and ISA-L see a CPU without SHA and AVX-512 instructions and take slower paths than"
    echo "they do natively (the SHA-256 of inputs and outputs for the manifest is about a tenth of the report's count here, next to nothing natively);"
    echo "the counts are for comparing builds, not for converting into seconds."
    echo
    echo "| job | G instructions | ÷ floor |"
    echo "|---|---|---|"
    echo "| 1. convert CSV → XLSX | $(g "${I[convert]}") | $(ratio "${I[convert]}" "${I[floor]}") |"
    echo "| 2. report, CSV + SIEM, all formats | $(g "${I[report]}") | $(ratio "${I[report]}" "${I[floor]}") |"
    echo "| 3. floor: C + libxlsxwriter, same cells as 1 | $(g "${I[floor]}") | 1.00 |"
    echo "| 5. reading only (report --dry-run) | $(g "${I[dry]}") | $(ratio "${I[dry]}" "${I[floor]}") |"
    echo
    echo "Where the report's instructions go, by library (\`audit-report\` is this program's own code):"
    echo
    echo "| object | G instructions | share |"
    echo "|---|---|---|"
    objects report
    echo
    echo "The floor's, for comparison:"
    echo
    echo "| object | G instructions | share |"
    echo "|---|---|---|"
    objects floor
    echo
    echo "The report's costliest functions (own cost):"
    echo
    echo "| share | function | object |"
    echo "|---|---|---|"
    top report
} > bench/instructions.md
cat bench/instructions.md
