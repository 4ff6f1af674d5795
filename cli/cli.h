/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: helpers of the qcaps command shared between its verbs. */
#ifndef QC_CLI_H
#define QC_CLI_H

#include "common/error.h"
#include "model/model.h"

/* A human-readable summary of a model (several lines, ends in "\n"). Caller frees. */
char *qc_cli_summary(const qc_model *m, qc_error **err);

/* Verbs, each in its own file: parse argv (argv[0] is the verb), return the exit code
 * (0 ok, 1 usage, 2 failure). */
int qc_cmd_domcaps(int argc, char **argv);      /* cli/domcaps.c */
int qc_cmd_capabilities(int argc, char **argv); /* cli/capabilities.c */
int qc_cmd_warm(int argc, char **argv);         /* cli/cache.c */
int qc_cmd_cache(int argc, char **argv);        /* cli/cache.c */

#endif
