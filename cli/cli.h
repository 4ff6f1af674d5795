/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: helpers of the qcaps command shared between its verbs. */
#ifndef QC_CLI_H
#define QC_CLI_H

#include "common/error.h"
#include "model/model.h"

/* A human-readable summary of a model (several lines, ends in "\n"). Caller frees. */
char *qc_cli_summary(const qc_model *m, qc_error **err);

#endif
