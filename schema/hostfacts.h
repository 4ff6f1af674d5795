/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts.h: the host facts JSON file of the capabilities document.
 *
 * Contract: qc_hostfacts (introspect/hostfacts.h, which owns reading it from the running
 * system) is read from or written to a host facts JSON file (schema/README.md
 * "## capabilities"), so that an offline document equals the live one; this file owns
 * only that codec (hostfacts-json.c), schema/capabilities.h renders the struct. A
 * malformed file is QC_E_FORMAT naming the member. No printing, no reading of the host.
 */
#ifndef QC_SCHEMA_HOSTFACTS_H
#define QC_SCHEMA_HOSTFACTS_H

#include "common/error.h"
#include "introspect/hostfacts.h"

#define QC_HOSTFACTS_FORMAT_VERSION 1

/* The host facts JSON (2-space pretty printing, final newline). Caller frees. */
char *qc_hostfacts_to_json(const qc_hostfacts *hf, qc_error **err);
/* The same JSON on one line (no spaces, no newline), for a key. Caller frees. */
char *qc_hostfacts_to_json_line(const qc_hostfacts *hf, qc_error **err);
/* Parses a host facts JSON text / file. Caller frees the result. */
qc_hostfacts *qc_hostfacts_from_json(const char *text, qc_error **err);
qc_hostfacts *qc_hostfacts_load(const char *path, qc_error **err);

#endif
