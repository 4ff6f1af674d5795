/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testfx.h: the committed fixtures as cmocka tests use them (tests/helpers/testfx.c).
 *
 * Contract: every function fails the running cmocka test (fail_msg) instead of returning
 * an error; paths come from the environment `meson test` sets (QC_FIXTURES).
 */
#ifndef QC_TESTS_TESTFX_H
#define QC_TESTS_TESTFX_H

#include <stddef.h>

#include "model/model.h"
#include "schema/hostfacts.h"

/* The host whose facts and capabilities golden files are committed. */
#define QC_TESTFX_HOST "debian12_x86_64"

/* The suffixes of the recorded binaries: fixtures/qmp/caps_7.2.22_<suffix>.replies. */
#define QC_TESTFX_N 27
extern const char *const qc_testfx_suffixes[QC_TESTFX_N];

/* $name, failing the test when it is not set. */
const char *qc_testfx_env(const char *name);
/* A whole file, NUL-terminated (NULL if it cannot be opened). Caller frees. */
char *qc_testfx_read(const char *path);
/* The model of fixture `suffix`, replayed. Caller frees. */
qc_model *qc_testfx_replay(const char *suffix);
/* The committed host facts of QC_TESTFX_HOST. Caller frees. */
qc_hostfacts *qc_testfx_host(void);

#endif
