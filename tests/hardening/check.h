/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check.h: the non-aborting check of the hardening programs (plain main(), no cmocka).
 *
 * A hardening run is one long scenario (a warm-up of every binary, 200 concurrent
 * queries): a failed check is reported with its message and counted in qc_failures, and
 * the scenario goes on so that one run shows every failure. main() returns non-zero when
 * qc_failures is. Include it in one .c file per program.
 */
#ifndef QC_TESTS_HARDENING_CHECK_H
#define QC_TESTS_HARDENING_CHECK_H

#include <stdio.h>

static int qc_failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            qc_failures++;                                                 \
        }                                                                  \
    } while (0)

#endif
