/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmlwriter.h: small helpers over libxml2's xmlTextWriter that give libvirt's layout.
 *
 * Contract: qc_xw_new() writes into an xmlBuffer with 2-space indentation, ' quotes and
 * no XML declaration, as libvirt's virBuffer formatting does. Every helper returns 0 or
 * -1 (error set, QC_E_XML) and checks each libxml2 call. Nothing is printed.
 */
#ifndef QC_SCHEMA_XMLWRITER_H
#define QC_SCHEMA_XMLWRITER_H

#include <stdbool.h>

#include <libxml/xmlwriter.h>

#include "common/error.h"

typedef struct qc_xw {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
} qc_xw;

int qc_xw_open(qc_xw *x, qc_error **err);
/* Ends the document and returns its text (caller frees); closes x either way. */
char *qc_xw_finish(qc_xw *x, qc_error **err);
void qc_xw_close(qc_xw *x);

int qc_xw_start(qc_xw *x, const char *name, qc_error **err);
int qc_xw_end(qc_xw *x, qc_error **err);
int qc_xw_attr(qc_xw *x, const char *name, const char *value, qc_error **err);
/* Text inside the open element, escaped; raw: as it is (already XML). */
int qc_xw_text(qc_xw *x, const char *text, qc_error **err);
int qc_xw_raw(qc_xw *x, const char *text, qc_error **err);
/* <name>text</name> */
int qc_xw_text_elem(qc_xw *x, const char *name, const char *text, qc_error **err);
/* <name attr='value'/> */
int qc_xw_empty_attr(qc_xw *x, const char *name, const char *attr, const char *value,
                     qc_error **err);
/* <name supported='yes|no'/> when `leave_open` is false; with true, the element stays
 * open (for children) when supported, and is closed when not. */
int qc_xw_supported(qc_xw *x, const char *name, bool supported, bool leave_open,
                    qc_error **err);
/* <enum name='name'><value>v</value>...</enum>; an empty list prints <enum name='x'/>. */
int qc_xw_enum(qc_xw *x, const char *name, const char *const *values, size_t n,
               qc_error **err);

#endif
