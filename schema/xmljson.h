/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmljson.h: the lossless generic mapping between the XML documents and JSON (README.md).
 *
 * Contract: text in, text out, caller frees. XML -> JSON keeps every element, attribute
 * and text and the order of children; JSON -> XML writes libvirt's layout (2-space
 * indent, ' quotes, no declaration), so a document qcaps wrote survives XML -> JSON ->
 * XML byte for byte. Errors: QC_E_XML (XML not well-formed), QC_E_FORMAT (JSON not of
 * the mapping's shape). Nothing is printed.
 */
#ifndef QC_SCHEMA_XMLJSON_H
#define QC_SCHEMA_XMLJSON_H

#include "common/error.h"

/* Pretty-printed (2-space) JSON ending in "\n". */
char *qc_xml_to_json(const char *xml, qc_error **err);
char *qc_json_to_xml(const char *json, qc_error **err);

#endif
