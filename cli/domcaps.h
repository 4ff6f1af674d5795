/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.h: the options of `qcaps domcaps`, shared by the verb (cli/domcaps.c) and the
 * front binary's fast path (cli/front.c), so that both read a command line alike.
 *
 * Contract: parsing prints nothing (the front must stay silent when it hands a command
 * line to the engine); the verb prints what the parser returns. Needs no schema layer.
 */
#ifndef QC_CLI_DOMCAPS_H
#define QC_CLI_DOMCAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"

#define QC_MAX_FW_DIRS 16

typedef struct qc_dc_opts {
    qcaps_domcaps_query q;
    const char *format;                       /* "xml" (default) or "json" */
    const char *libvirt;                      /* --libvirt VERSION, NULL: the latest */
    const char *fw_dirs[QC_MAX_FW_DIRS + 1];  /* NULL-terminated */
    size_t n_fw_dirs;
    int timeout_ms;
    qc_cache_opts cache;
    bool cache_given;
} qc_dc_opts;

/* Parses argv (argv[0] is the verb) into *o: 0 to go on, 1 when --help was given, -1 for
 * a usage error, described in *ret_msg (caller frees; NULL when out of memory). The
 * combination of options is checked too. */
int qc_dc_parse(int argc, char **argv, qc_dc_opts *o, char **ret_msg);

/* A context for the options (warnings to stderr): NULL with *err set, QC_E_INVALID being
 * a usage error. */
qcaps_context *qc_dc_context(const qc_dc_opts *o, qc_error **err);

/* Writes a document to stdout (adding a final newline when it lacks one): 0, or the exit
 * code of a write error (reported). */
int qc_cli_print_document(const char *text);

#endif
