/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* runner.h: runs the qcaps command as a child for end-to-end tests and checks clean-up. */
#ifndef QC_TESTS_RUNNER_H
#define QC_TESTS_RUNNER_H

#include <stdbool.h>

typedef struct qc_run {
    int exit_code;   /* -1 if killed by a signal */
    int signal;      /* the signal, or 0 */
    char *out;       /* whole stdout, NUL-terminated */
    char *err;       /* whole stderr, NUL-terminated */
    double seconds;  /* wall time */
} qc_run;

/* Runs `argv` (argv[0] is a path) with TMPDIR=tmpdir (NULL: inherited), waits, fills r.
 * Kills the child after limit_s seconds (the test then fails on exit_code). */
void qc_run_cmd(qc_run *r, const char *tmpdir, double limit_s, const char *const argv[]);
void qc_run_clear(qc_run *r);

/* A fresh private directory (caller frees the string; qc_rmtree removes it). */
char *qc_make_tmpdir(const char *tag);
void qc_rmtree(const char *path);
/* Number of entries in a directory (-1 if it cannot be read). */
int qc_dir_count(const char *path);
/* Number of processes whose command line contains `token`. */
int qc_count_procs_with(const char *token);
/* Reads a whole file (NULL if unreadable). Caller frees. */
char *qc_read_file(const char *path);
/* Writes a file with the given mode; returns 0 on success. */
int qc_write_file(const char *path, const char *text, int mode);
/* Count of stderr lines (a one-line error has 1). */
int qc_count_lines(const char *s);

/* Path of the committed fixture of binary qemu-system-<suffix> (fixtures/qmp/caps_*_<suffix>
 * .replies, with "-" in suffix spelled "+"); NULL if none. Caller frees. */
char *qc_fixture_for(const char *suffix);

/* asprintf that aborts the test program when out of memory. Caller frees. */
char *qc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Environment of the suite: the built qcaps, the fake QEMU, the fixtures directory. */
const char *qc_env_path(const char *name);

#endif
