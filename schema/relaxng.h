/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relaxng.h: validates an XML document against a RelaxNG schema with libxml2.
 *
 * Contract: loads the schema file, parses the document without network access and
 * validates it; every libxml2 diagnostic is routed into the returned qc_error (QC_E_XML,
 * the first one, with its line), nothing reaches stderr. Never calls xmlCleanupParser.
 */
#ifndef QC_SCHEMA_RELAXNG_H
#define QC_SCHEMA_RELAXNG_H

#include "common/error.h"

/* 0 when `xml` is valid against the schema in file `rng_path`, else -1. */
int qc_relaxng_validate(const char *rng_path, const char *xml, qc_error **err);

#endif
