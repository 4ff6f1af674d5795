/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz.h: the libFuzzer entry point every target in tests/fuzz defines.
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput(). Built with -Dfuzz=true (clang) it is
 * linked with libFuzzer (-fsanitize=fuzzer); in every build it is also linked with
 * replay-main.c, which runs it over the files given on the command line, so the committed
 * regression inputs are replayed by the unit suite with any compiler.
 * A target aborts (QC_FUZZ_CHECK) only when a layer breaks its own contract.
 */
#ifndef QC_TESTS_FUZZ_H
#define QC_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A contract violation that is not a memory error: report it as a crash. */
#define QC_FUZZ_CHECK(cond)                                                             \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: contract violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

#endif
