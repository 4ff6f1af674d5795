/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache-opts.c: --cache-dir, --no-cache and --refresh, shared by the verbs that query. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

bool
qc_cache_opts_parse(qc_cache_opts *o, int c, const char *arg)
{
    switch (c) {
    case QC_OPT_CACHE_DIR:
        o->dir = arg;
        return true;
    case QC_OPT_NO_CACHE:
        o->no_cache = true;
        return true;
    case QC_OPT_REFRESH:
        o->refresh = true;
        return true;
    default:
        return false;
    }
}

int
qc_cache_opts_apply(const qc_cache_opts *o, qcaps_context *ctx, qc_error **err)
{
    qcaps_error *e = NULL;

    if (o->no_cache && o->refresh)
        return qc_error_set(err, QC_E_INVALID, "--no-cache and --refresh exclude each other");
    if (o->no_cache && o->dir)
        return qc_error_set(err, QC_E_INVALID, "--no-cache and --cache-dir exclude each other");
    if (o->dir && !*o->dir)
        return qc_error_set(err, QC_E_INVALID, "--cache-dir needs a directory name");
    /* the same rule for the variable as for the option */
    if (!o->dir && !o->no_cache && getenv("QCAPS_CACHE_DIR") && !*getenv("QCAPS_CACHE_DIR"))
        return qc_error_set(err, QC_E_INVALID, "QCAPS_CACHE_DIR is set but empty");
    if (qcaps_context_set_cache_dir(ctx, o->dir, &e) < 0) {
        qc_error_set(err, qcaps_error_get_code(e) == QCAPS_E_NOMEM ? QC_E_NOMEM : QC_E_INVALID,
                     "%s", qcaps_error_message(e));
        qcaps_error_free(e);
        return -1;
    }
    qcaps_context_set_cache_mode(ctx, o->no_cache  ? QCAPS_CACHE_BYPASS
                                      : o->refresh ? QCAPS_CACHE_REFRESH
                                                   : QCAPS_CACHE_USE);
    return 0;
}

void
qc_cli_warning(const char *message, void *opaque)
{
    (void) opaque;
    fprintf(stderr, "qcaps: warning: %s\n", message);
}

qcaps_context *
qc_cli_context_new(const qc_cache_opts *o, qc_error **err)
{
    qcaps_error *e = NULL;
    qcaps_context *ctx = qcaps_context_new(&e);

    if (!ctx) {
        qc_error_set(err, QC_E_NOMEM, "%s", qcaps_error_message(e));
        qcaps_error_free(e);
        return NULL;
    }
    qcaps_context_set_warning_handler(ctx, qc_cli_warning, NULL);
    if (o && qc_cache_opts_apply(o, ctx, err) < 0) {
        qcaps_context_free(ctx);
        return NULL;
    }
    return ctx;
}
