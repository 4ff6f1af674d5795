/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmljson.h: the typed mapping between the XML documents qcaps writes and JSON (README.md).
 *
 * Contract: text in, text out, caller frees. XML -> JSON is shaped by the document's
 * grammar (schema/jsonshape.h): an element that may repeat is always an array, one that
 * may carry attributes always an object, numbers are JSON integers and yes/no JSON
 * booleans, and the document carries "format-version". JSON -> XML writes libvirt's
 * layout (2-space indent, ' quotes, no declaration), so a document qcaps wrote survives
 * XML -> JSON -> XML byte for byte. Errors: QC_E_XML (XML not well-formed), QC_E_FORMAT
 * (an element, attribute or text the grammar does not allow, or JSON not of the mapping's
 * shape). Nothing is printed.
 */
#ifndef QC_SCHEMA_XMLJSON_H
#define QC_SCHEMA_XMLJSON_H

#include "common/error.h"

/* "format-version" of the JSON form of domainCapabilities and capabilities documents
 * (schema/domcapabilities.schema.json, schema/capabilities.schema.json). */
#define QC_DOCUMENT_JSON_VERSION 1

/* Pretty-printed (2-space) JSON ending in "\n". */
char *qc_xml_to_json(const char *xml, qc_error **err);
char *qc_json_to_xml(const char *json, qc_error **err);

#endif
