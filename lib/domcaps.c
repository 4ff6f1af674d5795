/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder until this file is written */
#include "lib/internal.h"

QCAPS_PUBLIC char *
qcaps_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
              qcaps_error **err)
{
    qc_error *e = NULL;

    (void) ctx, (void) q, (void) format;
    qc_error_set(&e, QC_E_INVALID, "domcaps: not available in this build yet");
    qcaps_error_wrap(err, e);
    return NULL;
}
