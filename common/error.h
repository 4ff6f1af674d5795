/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.h: the one error type of qcaps.
 *
 * Contract: a fallible function takes `qc_error **err` as its last parameter, returns
 * -1 / NULL / false on failure and sets *err only then (callers may pass NULL). The first
 * error set wins: setting an already-set error keeps the original and drops the new one.
 * Library code never prints; the CLI formats an error once. No allocation failure aborts:
 * if building the message fails, a static out-of-memory error is returned instead.
 *
 * Layer common/ (the bottom; libc only, json-c only in jsonread.c): owns the error type,
 * cleanup helpers (cleanup.h), whole-file reads and atomic writes (fileio.h), member-path
 * JSON reading (jsonread.h), emulator paths and file signatures (path.h, pathsig.h),
 * printf-free number formatting for hot paths (fmt.h) and the removal of temporary files
 * on a signal (emergency.h). It knows nothing of QEMU.
 */
#ifndef QC_COMMON_ERROR_H
#define QC_COMMON_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum qc_error_code {
    QC_E_INVALID = 1, /* bad argument or usage */
    QC_E_NOMEM,       /* allocation failed */
    QC_E_SYSTEM,      /* a system call failed; sys_errno holds errno */
    QC_E_SPAWN,       /* QEMU could not be started or exited early */
    QC_E_TIMEOUT,     /* a deadline passed */
    QC_E_PROTOCOL,    /* the peer broke QMP framing/JSON/shape rules */
    QC_E_QMP,         /* QEMU answered {"error": ...}; qmp_class holds its class */
    QC_E_XML,         /* libxml2 reported an error */
    QC_E_NOTFOUND,    /* a thing looked up (file, command in fixture, machine) is absent */
    QC_E_FORMAT,      /* a file we read (fixture, cache) is malformed */
    QC_E_UNSUPPORTED, /* the emulator does not offer the arch, machine or virttype asked */
} qc_error_code;

typedef struct qc_error {
    qc_error_code code;
    int sys_errno;    /* 0 unless code == QC_E_SYSTEM (or a spawn/IO cause carried one) */
    char *qmp_class;  /* QMP error class ("CommandNotFound", ...) when code == QC_E_QMP */
    char *message;    /* "outer context: inner cause", one line */
} qc_error;

/* Formats fmt with ap and hands the text to fn with opaque: a warning callback's call.
 * Nothing happens when fn is NULL or the text runs out of memory. */
void qc_warn_v(void (*fn)(const char *message, void *opaque), void *opaque, const char *fmt,
               va_list ap) __attribute__((format(printf, 3, 0)));

/* Sets *err (when err != NULL and *err == NULL). Always returns -1. */
int qc_error_set(qc_error **err, qc_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As qc_error_set with code QC_E_SYSTEM; appends ": strerror(errnum)". Returns -1. */
int qc_error_set_errno(qc_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A QMP error reply: code QC_E_QMP, class kept, message "<context>: <desc>". Returns -1. */
int qc_error_set_qmp(qc_error **err, const char *qmp_class, const char *desc,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prepends "<context>: " to an existing error's message; no-op when err or *err is NULL. */
void qc_error_prefix(qc_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves src into *dst (if dst != NULL and *dst == NULL), else frees src. Returns -1. */
int qc_error_propagate(qc_error **dst, qc_error *src);
/* A deep copy of e (NULL-safe; returns the static OOM error if copying fails). */
qc_error *qc_error_copy(const qc_error *e);
/* NULL-safe. */
void qc_error_free(qc_error *e);

/* *dst = a copy of s, or NULL when s is NULL. Returns 0, or -1 with QC_E_NOMEM. */
int qc_strdup_opt(char **dst, const char *s, qc_error **err);
/* True if e is a QMP error of the given class. */
bool qc_error_is_qmp_class(const qc_error *e, const char *qmp_class);
/* A stable name for a code ("timeout", "protocol", ...). */
const char *qc_error_code_name(qc_error_code code);

#include "common/cleanup.h"
QC_DEFINE_CLEANUP(qc_error *, qc_error_free);

#endif
