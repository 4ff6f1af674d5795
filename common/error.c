/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.c: construction, chaining and release of qc_error. */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returned when even the error could not be allocated; never freed. */
static qc_error qc_error_oom = {QC_E_NOMEM, 0, NULL, (char *) "out of memory"};

static bool
qc_error_is_static(const qc_error *e)
{
    return e == &qc_error_oom;
}

static char *qc_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *
qc_vasprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    return s;
}

static int
qc_error_install(qc_error **err, qc_error_code code, int sys_errno, const char *qmp_class,
                 char *message)
{
    qc_error *e;

    if (!err || *err) {
        free(message);
        return -1;
    }
    e = calloc(1, sizeof(*e));
    if (!e || !message || (qmp_class && !(e->qmp_class = strdup(qmp_class)))) {
        if (e)
            free(e->qmp_class);
        free(e);
        free(message);
        *err = &qc_error_oom;
        return -1;
    }
    e->code = code;
    e->sys_errno = sys_errno;
    e->message = message;
    *err = e;
    return -1;
}

void
qc_warn_v(void (*fn)(const char *message, void *opaque), void *opaque, const char *fmt,
          va_list ap)
{
    char *msg;

    if (fn && (msg = qc_vasprintf(fmt, ap))) {
        fn(msg, opaque);
        free(msg);
    }
}

int
qc_error_set(qc_error **err, qc_error_code code, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (!err || *err)
        return -1;
    va_start(ap, fmt);
    msg = qc_vasprintf(fmt, ap);
    va_end(ap);
    return qc_error_install(err, code, 0, NULL, msg);
}

/* "<fmt ...>: <cause>" installed as qc_error_install() does. */
static int qc_error_vset_cause(qc_error **err, qc_error_code code, int sys_errno,
                               const char *qmp_class, const char *cause, const char *fmt,
                               va_list ap) __attribute__((format(printf, 6, 0)));

static int
qc_error_vset_cause(qc_error **err, qc_error_code code, int sys_errno, const char *qmp_class,
                    const char *cause, const char *fmt, va_list ap)
{
    char *ctx, *msg = NULL;

    if (!err || *err)
        return -1;
    ctx = qc_vasprintf(fmt, ap);
    if (ctx && asprintf(&msg, "%s: %s", ctx, cause) < 0)
        msg = NULL;
    free(ctx);
    return qc_error_install(err, code, sys_errno, qmp_class, msg);
}

int
qc_error_set_errno(qc_error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = qc_error_vset_cause(err, QC_E_SYSTEM, errnum, NULL, strerror(errnum), fmt, ap);
    va_end(ap);
    return r;
}

int
qc_error_set_qmp(qc_error **err, const char *qmp_class, const char *desc, const char *fmt, ...)
{
    const char *cls = qmp_class ? qmp_class : "GenericError";
    char *cause = NULL;
    va_list ap;
    int r;

    if (!err || *err)
        return -1;
    if (asprintf(&cause, "%s (%s)", desc ? desc : "(no description)", cls) < 0)
        return qc_error_install(err, QC_E_QMP, 0, NULL, NULL); /* out of memory */
    va_start(ap, fmt);
    r = qc_error_vset_cause(err, QC_E_QMP, 0, cls, cause, fmt, ap);
    va_end(ap);
    free(cause);
    return r;
}

void
qc_error_prefix(qc_error **err, const char *fmt, ...)
{
    va_list ap;
    char *ctx, *msg = NULL;

    if (!err || !*err || qc_error_is_static(*err))
        return;
    va_start(ap, fmt);
    ctx = qc_vasprintf(fmt, ap);
    va_end(ap);
    if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->message) >= 0) {
        free((*err)->message);
        (*err)->message = msg;
    }
    free(ctx);
}

int
qc_error_propagate(qc_error **dst, qc_error *src)
{
    if (!src)
        return -1;
    if (dst && !*dst)
        *dst = src;
    else
        qc_error_free(src);
    return -1;
}

qc_error *
qc_error_copy(const qc_error *e)
{
    qc_error *c = NULL;
    char *msg;

    if (!e)
        return NULL;
    if (qc_error_is_static(e))
        return &qc_error_oom;
    msg = strdup(e->message ? e->message : "");
    qc_error_install(&c, e->code, e->sys_errno, e->qmp_class, msg);
    return c;
}

void
qc_error_free(qc_error *e)
{
    if (!e || qc_error_is_static(e))
        return;
    free(e->qmp_class);
    free(e->message);
    free(e);
}

bool
qc_error_is_qmp_class(const qc_error *e, const char *qmp_class)
{
    return e && e->code == QC_E_QMP && e->qmp_class && strcmp(e->qmp_class, qmp_class) == 0;
}

const char *
qc_error_code_name(qc_error_code code)
{
    switch (code) {
    case QC_E_INVALID:
        return "invalid";
    case QC_E_NOMEM:
        return "nomem";
    case QC_E_SYSTEM:
        return "system";
    case QC_E_SPAWN:
        return "spawn";
    case QC_E_TIMEOUT:
        return "timeout";
    case QC_E_PROTOCOL:
        return "protocol";
    case QC_E_QMP:
        return "qmp";
    case QC_E_XML:
        return "xml";
    case QC_E_NOTFOUND:
        return "notfound";
    case QC_E_FORMAT:
        return "format";
    case QC_E_UNSUPPORTED:
        return "unsupported";
    }
    return "unknown";
}

int
qc_strdup_opt(char **dst, const char *s, qc_error **err)
{
    *dst = NULL;
    if (s && !(*dst = strdup(s)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return 0;
}
