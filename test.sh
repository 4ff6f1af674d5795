#!/usr/bin/env bash
# Sets up a Debian 12 machine (packages), then builds and runs every test:
#   1. a -Dwerror=true build and all suites: unit, integration (fake QEMUs), slow (the real
#      installed QEMU binaries, skipped when none is installed);
#   2. an ASan/UBSan build running the unit and integration suites;
#   3. valgrind over a live probe, a fixture replay and a warm-up (no leak, no invalid
#      access);
#   4. when clang is installed, a clang -Dfuzz=true build (build-fuzz) and a fuzz smoke:
#      each libFuzzer target of tests/fuzz for 10 s (tests/fuzz/run.sh).
# Options: --quick   only step 1.
#          --fuzz SECONDS  run each fuzz target for SECONDS instead of 10 (also with --quick).
#          --conformance  also compare qcaps with libvirt 9.0, 11.3 and 12.8, each in a
#                   cached Debian chroot (bookworm, trixie, forky) with its own libvirtd
#                   (tests/conformance/generations.sh --work-tree; root; results in
#                   build-conformance/).
set -euo pipefail
cd "$(dirname "$0")"

quick=0
conformance=0
fuzz=
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --conformance) conformance=1 ;;
        --fuzz)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] ||
                { echo "test.sh: --fuzz needs a number of seconds" >&2; exit 1; }
            fuzz=$2
            shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown option '$1'" >&2; exit 1 ;;
    esac
    shift
done

scripts/setup-deps.sh --build --qemu --extra

passed=0
failed=0
# Runs `meson test` in build dir $1 with the remaining arguments and adds up its counts.
run_suites() {
    local dir=$1 out rc=0
    shift
    out=$(meson test -C "$dir" --print-errorlogs "$@" 2>&1) || rc=$?
    printf '%s\n' "$out" | grep -vE '^ *[0-9]+/[0-9]+ .* OK ' || true
    local ok fail
    ok=$(printf '%s\n' "$out" | awk '/^Ok:/ {print $2}' | tail -n 1)
    fail=$(printf '%s\n' "$out" | awk '/^(Fail|Unexpected Pass|Timeout):/ {n += $2} END {print n + 0}')
    passed=$((passed + ${ok:-0}))
    failed=$((failed + fail))
    [ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || failed=$((failed + 1))
}

setup() { # dir, meson options...
    local dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir" >/dev/null
}

echo "== build (werror) and all suites"
setup build-test -Dwerror=true
run_suites build-test --suite unit --suite integration --suite slow

if [ "$quick" -eq 0 ]; then
    echo "== ASan/UBSan build: unit and integration suites"
    setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_suites build-asan --suite unit --suite integration

    echo "== valgrind: live probe, replay and warm-up"
    if tests/valgrind.sh build-test; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
fi

# The smoke is part of the default run; --fuzz asks for it (longer) even with --quick.
if [ -n "$fuzz" ] || [ "$quick" -eq 0 ]; then
    if command -v clang >/dev/null; then
        echo "== fuzz: each target for ${fuzz:-10}s (clang, libFuzzer, ASan/UBSan)"
        CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
        if tests/fuzz/run.sh build-fuzz "${fuzz:-10}"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    elif [ -n "$fuzz" ]; then
        echo "test.sh: --fuzz needs clang (scripts/setup-deps.sh --extra)" >&2
        failed=$((failed + 1))
    fi
fi

if [ "$conformance" -eq 1 ]; then
    # One chroot per Debian generation (scripts/chroot.sh), each with its own libvirtd,
    # started and stopped there; the host's libvirt, if any, is left alone. The work tree
    # is tested, as by the steps above.
    echo "== conformance with libvirt 9.0, 11.3 and 12.8 (tests/conformance/generations.sh)"
    if tests/conformance/generations.sh --work-tree; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
fi

echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
