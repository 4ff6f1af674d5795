#!/usr/bin/env bash
# test-completion.sh QCAPS COMPLETION: the bash completion offers the verbs, and for every
# verb exactly options its --help documents (so the two cannot drift apart).
set -u
qcaps=$1
source "$2"
fail=0
complete_words() { # words... -> COMPREPLY for the last one
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _qcaps
}
complete_words qcaps dom
[[ " ${COMPREPLY[*]} " == *" domcaps "* && " ${COMPREPLY[*]} " == *" domcapabilities "* ]] ||
    { echo "verbs: got '${COMPREPLY[*]}'"; fail=1; }
complete_words qcaps domcaps --libvirt ""
[ "${COMPREPLY[*]}" = "12.8 11.3 9.0 latest" ] || { echo "--libvirt: got '${COMPREPLY[*]}'"; fail=1; }
for verb in probe record domcaps capabilities warm cache diff export; do
    help=$("$qcaps" "$verb" --help)
    complete_words qcaps "$verb" --
    [ "$verb" = cache ] && complete_words qcaps cache list --
    for opt in "${COMPREPLY[@]}"; do
        grep -q -- "$opt\b" <<<"$help" || { echo "$verb: completes $opt, --help lacks it"; fail=1; }
    done
    # the options the help's option list documents (its lines "  -x, --opt ..." and
    # "      --opt ..."; also a second name in parentheses: "(also --emulatorbin")
    for opt in $(grep -E '^ +(-[a-zA-Z], )?--[a-z]|^ +\(?also --' <<<"$help" |
                 grep -o -- '--[a-z][a-z-]*' | sort -u); do
        [[ " ${COMPREPLY[*]} " == *" $opt "* ]] ||
            { echo "$verb: --help has $opt, completion lacks it"; fail=1; }
    done
done
exit $fail
