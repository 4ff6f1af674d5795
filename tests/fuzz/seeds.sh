#!/usr/bin/env bash
# Fills the fuzz corpora (BUILD_DIR/fuzz-corpus/<target>) from the repository and the host:
#   tests/fuzz/seeds.sh BUILD_DIR CORPUS_DIR
# qmp-stream: a greeting, the handshake reply and one recorded reply (re-numbered to the
# harness's first id) per reply of every fixture; fixture: the first objects of every
# fixture; cache-entry, cache-answer: entries and a domcaps answer written by
# BUILD_DIR/qcaps (real binaries when installed);
# firmware: the installed descriptors. Plus the committed corpus and regressions. Only
# seeds of at most 64 KiB are kept. Idempotent: files are named by content.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1
corpus=$2
max=65536

# Stores stdin as a seed of target $1 named by its hash (drops it when too large).
put() {
    local f
    f=$(mktemp "$corpus/$1/.new.XXXXXX")
    cat >"$f"
    if [ "$(stat -c %s "$f")" -gt "$max" ]; then
        rm -f "$f"
        return 0
    fi
    mv -f "$f" "$corpus/$1/seed-$(sha1sum <"$f" | cut -c1-16)"
}

for t in qmp-stream fixture cache-entry cache-answer firmware; do
    mkdir -p "$corpus/$t"
    for f in tests/fuzz/corpus/"$t"/* tests/fuzz/regressions/"$t"/*; do
        [ -f "$f" ] && put "$t" <"$f"
    done
done
# Done once per corpus directory: the fuzzer keeps what it finds there afterwards.
stamp=$corpus/.seeded
[ -e "$stamp" ] && exit 0
if ! command -v jq >/dev/null; then
    echo "seeds: jq missing (scripts/setup-deps.sh --extra)" >&2
    exit 1
fi

greeting='{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7},
  "package": ""}, "capabilities": ["oob"]}}'
greeting=$(tr -d '\n' <<<"$greeting")
replies='select(has("return") or has("error") or has("event"))
         | if has("id") then .id = "qc-2" else . end'
for fx in fixtures/qmp/*/*.replies; do
    jq -c "$replies" "$fx" | awk 'length($0) < 65000' | sort -u | awk 'NR <= 60' |
    while IFS= read -r line; do
        printf '\x00%s\r\n{"return": {}, "id": "qc-1"}\r\n%s\r\n' "$greeting" "$line" |
            put qmp-stream
    done
    jq -s '.[0:10][]' "$fx" | put fixture
    jq -s '[.[] | select(has("qcaps-section") | not)] | .[1:9][]' "$fx" | put fixture
done

if [ -x "$build/qcaps" ]; then
    cdir=$(mktemp -d "$corpus/.cache.XXXXXX")
    emus=()
    for e in /usr/bin/qemu-system-{avr,rx,tricore,cris,m68k,sh4}; do
        [ -x "$e" ] && emus+=("$e")
    done
    if [ ${#emus[@]} -gt 0 ]; then
        "$build/qcaps" warm --cache-dir "$cdir" "${emus[@]}" >/dev/null 2>&1 || true
        "$build/qcaps" domcaps --cache-dir "$cdir" --emulator "${emus[0]}" >/dev/null 2>&1 ||
            true
    fi
    for f in "$cdir"/*.qcache; do
        [ -f "$f" ] && put cache-entry <"$f"
    done
    for f in "$cdir"/*.answer; do
        [ -f "$f" ] && put cache-answer <"$f"
    done
    rm -rf "$cdir"
fi
for f in /usr/share/qemu/firmware/*.json /etc/qemu/firmware/*.json; do
    [ -f "$f" ] && put firmware <"$f"
done
touch "$stamp"
