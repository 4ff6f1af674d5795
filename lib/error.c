/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.c: the public API's errors (qcaps_error) over common/error.h, and its emergency
 * cleanup. On its own so that a program using only errors and kept answers (the `qcaps`
 * front) does not link the probe with qcaps.c. */
#include "qcaps.h"

#include <stdlib.h>

#include "common/emergency.h"
#include "common/error.h"
#include "lib/internal.h"

_Static_assert((int) QCAPS_E_FORMAT == (int) QC_E_FORMAT &&
                   (int) QCAPS_E_INVALID == (int) QC_E_INVALID,
               "public and internal error codes must stay in step");

/* Wraps an internal error for the caller (consumes e). */
void
qcaps_error_wrap(qcaps_error **err, qc_error *e)
{
    qcaps_error *w;

    if (!err || *err || !(w = malloc(sizeof(*w)))) {
        qc_error_free(e);
        return;
    }
    w->e = e;
    *err = w;
}

void *
qc_lib_invalid(qcaps_error **err, const char *func, const char *what)
{
    qc_error *e = NULL;

    qc_error_set(&e, QC_E_INVALID, "%s: %s", func, what);
    qcaps_error_wrap(err, e);
    return NULL;
}

QCAPS_PUBLIC qcaps_error_code
qcaps_error_get_code(const qcaps_error *e)
{
    /* The internal codes are defined in the same order as the public ones. */
    return e ? (qcaps_error_code) e->e->code : QCAPS_E_INVALID;
}

QCAPS_PUBLIC const char *
qcaps_error_message(const qcaps_error *e)
{
    return e && e->e->message ? e->e->message : "unknown error";
}

QCAPS_PUBLIC void
qcaps_error_free(qcaps_error *e)
{
    if (!e)
        return;
    qc_error_free(e->e);
    free(e);
}

QCAPS_PUBLIC void
qcaps_emergency_cleanup(void)
{
    qc_emergency_run();
}
