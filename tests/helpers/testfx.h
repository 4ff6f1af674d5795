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

/* Fixtures come in sets, one per Debian generation that recorded them:
 * fixtures/qmp/<set>/caps_<QEMU version>_<suffix>.replies; the suites that need one
 * host's binaries take this set (Debian 12, QEMU 7.2), and its host facts and
 * capabilities golden files fixtures/host/<set>_x86_64.json,
 * fixtures/expected/capabilities/<set>_x86_64.{xml,json}. */
#define QC_TESTFX_SET "bookworm"
#define QC_TESTFX_HOST QC_TESTFX_SET "_x86_64"
#define QC_TESTFX_MAX 64

/* The suffixes of QC_TESTFX_SET's fixtures, found by file name, in file name order
 * (at most QC_TESTFX_MAX); static strings. */
size_t qc_testfx_suffixes(const char *const **ret);

/* $name, failing the test when it is not set. */
const char *qc_testfx_env(const char *name);
/* A whole file, NUL-terminated (NULL if it cannot be opened). Caller frees. */
char *qc_testfx_read(const char *path);
/* The path of fixture `stem` (caps_<version>_<suffix>) in whichever set holds it, failing
 * the test when none does. Caller frees. */
char *qc_testfx_path(const char *stem);
/* The model of QC_TESTFX_SET's fixture of `suffix`, replayed. Caller frees. */
qc_model *qc_testfx_replay(const char *suffix);
/* The committed host facts of QC_TESTFX_HOST. Caller frees. */
qc_hostfacts *qc_testfx_host(void);

#endif
