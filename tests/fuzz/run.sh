#!/usr/bin/env bash
# Runs every libFuzzer target of a -Dfuzz=true build for SECONDS each (one at a time):
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# Corpora live in BUILD_DIR/fuzz-corpus/<target> (kept between runs): seeded from the
# committed tests/fuzz/corpus and regressions, and from the fixtures, the expected models,
# cache entries written by this build's qcaps and the installed firmware descriptors.
# Crash inputs land in BUILD_DIR/fuzz-crashes/<target>; exits 1 if any target found one
# (copy it to tests/fuzz/regressions/<target>/ once fixed).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(qmp-stream fixture cache-entry cache-answer firmware)
build=$(cd "$build" && pwd)
corpus=$build/fuzz-corpus
crashes=$build/fuzz-crashes
tmp=$build/fuzz-tmp
mkdir -p "$corpus" "$crashes" "$tmp"

tests/fuzz/seeds.sh "$build" "$corpus"

# Leaks count as crashes; the first crash ends the run of that target.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TMPDIR=$tmp
failed=0
for t in "${targets[@]}"; do
    exe=$build/tests/fuzz/fuzz-$t
    [ -x "$exe" ] || { echo "fuzz: $exe missing (configure with -Dfuzz=true)" >&2; exit 1; }
    mkdir -p "$crashes/$t"
    log=$build/fuzz-$t.log
    rc=0
    # max_len: the seeds are cut to 64 KiB; longer inputs only slow the search down.
    "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$crashes/$t/" \
        "$corpus/$t" >"$log" 2>&1 || rc=$?
    stats=$(grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" |
            sed 's/^stat:://' | tr '\n' ' ')
    cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -n 1 || true)
    files=$(find "$corpus/$t" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz-$t: ok ${secs}s, $stats$cov, corpus $files"
    else
        failed=1
        echo "fuzz-$t: FAILED (exit $rc), log $log:" >&2
        grep -E 'ERROR|SUMMARY|contract violated|Test unit written' "$log" | head -n 8 >&2
    fi
done
rmdir "$tmp" 2>/dev/null || true
exit "$failed"
