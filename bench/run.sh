#!/usr/bin/env bash
# make bench: audit-report against the floor (libxlsxwriter alone), the Python route and DuckDB
# (a parsing reference), on synthetic months of 1M and 4M events. Writes bench/results.md, with
# each aim of issue #16 marked met or missed. Not part of the test suite.
# Settings: SIZES="1000000 4000000" RUNS=3 (median of RUNS runs for each timing); PYTHON_RUNS
# (default RUNS) for the Python route alone, which takes 10 minutes a run at 4M and does not
# change with audit-report's build.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 4000000"}
RUNS=${RUNS:-3}
PYTHON_RUNS=${PYTHON_RUNS:-$RUNS}
DATA=bench/data
BIN=.build/release/audit-report
mkdir -p "$DATA"
scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null; }
swift build -c release >/dev/null
cc -O2 bench/floor.c -o "$DATA/floor" $(pkg-config --cflags --libs xlsxwriter)
python3 -c "import xlsxwriter" 2>/dev/null || python3 -m pip install -q XlsxWriter
python3 -c "import duckdb" 2>/dev/null || python3 -m pip install -q duckdb

# measure NAME CMD...: median wall seconds and peak RSS (MB) of RUNS runs → "$seconds $mb"
measure() {
    local times=() rss=()
    for _ in $(seq "$RUNS"); do
        # What the previous run wrote goes to disk first (a report writes 3 GB at 1M, mostly
        # libxlsxwriter's temporary files): else the kernel writes it back during this run, and
        # the report's three runs had taken 31, 36 and 40 s one after the other.
        sync
        /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/stderr.txt" || { cat "$DATA/stderr.txt" >&2; exit 1; }
        read -r t m < "$DATA/time.txt"
        times+=("$t"); rss+=("$m")
        # Each run as it ends, so a bench stopped part-way still tells what it measured.
        echo "$(date -u +%FT%TZ) ${t} s $(( m / 1024 )) MB: $*" >> "$DATA/runs.log"
    done
    local t m
    t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    m=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    echo "$t $(( m / 1024 ))"
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
# verdict VALUE OP AIM: "met" or "missed"
verdict() { python3 -c "print('met' if $1 $2 $3 else 'missed')"; }

declare -A T R B
for n in $SIZES; do
    dir="$DATA/$n"
    # Each file in Notion's order: the export newest first, the stream oldest first, as
    # delivered (both are then read as they come, neither sorted).
    if [ ! -f "$dir/.as-delivered" ]; then
        rm -rf "$dir"
        $BIN sample --month 2026-10 --events "$n" --seed 11 --newest-first --output-dir "$dir" >/dev/null
        touch "$dir/.as-delivered"
    fi
    csv="$dir/sample-2026-10.csv"; siem="$dir/sample-2026-10-siem.jsonl"
    $BIN convert "$csv" -o "$dir/normalized.csv" --quiet >/dev/null
    read -r T[convert,$n] R[convert,$n] <<<"$(measure $BIN convert "$csv" -o "$dir/out.xlsx" --quiet)"
    read -r T[report,$n] R[report,$n] <<<"$(measure $BIN report "$csv" "$siem" --month 2026-10 --output-dir "$dir/report" --quiet)"
    read -r T[dry,$n] R[dry,$n] <<<"$(measure $BIN report "$csv" "$siem" --month 2026-10 --dry-run --quiet)"
    read -r T[floor,$n] R[floor,$n] <<<"$(measure "$DATA/floor" "$dir/normalized.csv" "$dir/floor.xlsx")"
    read -r T[python,$n] R[python,$n] <<<"$(RUNS=$PYTHON_RUNS measure python3 bench/python_convert.py "$dir/normalized.csv" "$dir/python.xlsx")"
    read -r T[duckdb,$n] R[duckdb,$n] <<<"$(measure python3 bench/duckdb_read.py "$csv" "$siem")"
    B[$n]=$(( $(stat -c %s "$csv") + $(stat -c %s "$siem") ))
done

first=${SIZES%% *}; last=${SIZES##* }
{
    echo "# Benchmark results"
    echo
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $(swift --version 2>&1 | head -1); DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)'); $(date -u +%Y-%m-%d)."
    echo "Median of $RUNS runs per timing ($PYTHON_RUNS for Python's); wall time and peak RSS from /usr/bin/time. Data: \`audit-report sample --seed 11 --newest-first\` (the CSV export newest first, as Notion's, and the overlapping SIEM JSON lines oldest first, as delivered: both stream)."
    echo
    echo "| job | events | wall s | peak RSS MB |"
    echo "|---|---|---|---|"
    for n in $SIZES; do
        echo "| 1. convert CSV → XLSX | $n | ${T[convert,$n]} | ${R[convert,$n]} |"
        echo "| 2. report, CSV + SIEM, all formats | $n | ${T[report,$n]} | ${R[report,$n]} |"
        echo "| 3. floor: C + libxlsxwriter, same cells as 1 | $n | ${T[floor,$n]} | ${R[floor,$n]} |"
        echo "| 4. Python XlsxWriter, same cells as 1 | $n | ${T[python,$n]} | ${R[python,$n]} |"
        echo "| 5. reading only (report --dry-run) | $n | ${T[dry,$n]} | ${R[dry,$n]} |"
        echo "| 6. DuckDB reads the same two inputs (parsing only) | $n | ${T[duckdb,$n]} | ${R[duckdb,$n]} |"
    done
    echo
    echo "| ratio | value | aim | |"
    echo "|---|---|---|---|"
    for n in $SIZES; do
        c=$(ratio "${T[convert,$n]}" "${T[floor,$n]}"); r=$(ratio "${T[report,$n]}" "${T[floor,$n]}"); p=$(ratio "${T[python,$n]}" "${T[convert,$n]}")
        mbs=$(python3 -c "print(f'{${B[$n]}/1e6/${T[dry,$n]}:.0f}')"); duck=$(python3 -c "print(f'{${B[$n]}/1e6/${T[duckdb,$n]}:.0f}')")
        echo "| convert ÷ floor ($n) | $c | ≤ 1.10 | $(verdict "$c" "<=" 1.10) |"
        echo "| report ÷ floor ($n) | $r | ≤ 1.3 | $(verdict "$r" "<=" 1.3) |"
        echo "| Python ÷ convert ($n) | $p | ≥ 6 | $(verdict "$p" ">=" 6) |"
        echo "| reading MB/s ($n) | $mbs | ≥ 250 | $(verdict "$mbs" ">=" 250) |"
        echo "| DuckDB reading MB/s, for reference ($n) | $duck | | |"
    done
    echo "| peak RSS of report, $first events | ${R[report,$first]} MB | ≤ 150 MB | $(verdict "${R[report,$first]}" "<=" 150) |"
    if [ "$first" != "$last" ]; then
        g=$(ratio "${R[report,$last]}" "${R[report,$first]}")
        echo "| peak RSS of report, $last ÷ $first | $g | ≤ 1.3 | $(verdict "$g" "<=" 1.3) |"
    fi
} > bench/results.md
cat bench/results.md
