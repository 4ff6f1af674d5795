/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relaxng.c: RelaxNG validation with libxml2, errors collected instead of printed. */
#include "schema/relaxng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlversion.h>

/* libxml2 2.12 made the structured error handler's error const. */
#if LIBXML_VERSION >= 21200
#define QC_XML_ERROR const xmlError
#else
#define QC_XML_ERROR xmlError
#endif

typedef struct qc_rng_errors {
    char first[512];
    int count;
} qc_rng_errors;

static void
qc_rng_collect(void *opaque, QC_XML_ERROR *e)
{
    qc_rng_errors *c = opaque;

    if (!e || c->count++)
        return;
    snprintf(c->first, sizeof(c->first), "line %d: %s", e->line,
             e->message ? e->message : "error");
    c->first[strcspn(c->first, "\n")] = '\0';
}

/* Swallows libxml2's generic (non-structured) messages during a call. */
static void
qc_rng_silent(void *opaque, const char *fmt, ...)
{
    (void) opaque, (void) fmt;
}

static int
qc_rng_check(xmlRelaxNGPtr schema, const char *xml, qc_rng_errors *c, qc_error **err)
{
    xmlParserCtxtPtr pctxt = xmlNewParserCtxt();
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    xmlDocPtr doc = NULL;
    int rc = -1;

    if (!pctxt)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    doc = xmlCtxtReadMemory(pctxt, xml, (int) strlen(xml), "document.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(pctxt);
        qc_error_set(err, QC_E_XML, "document not well-formed: line %d: %.200s",
                     e ? e->line : 0, e && e->message ? e->message : "parse error");
        goto out;
    }
    if (!(vctxt = xmlRelaxNGNewValidCtxt(schema))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    xmlRelaxNGSetValidStructuredErrors(vctxt, qc_rng_collect, c);
    if (xmlRelaxNGValidateDoc(vctxt, doc) != 0) {
        qc_error_set(err, QC_E_XML, "document does not match the schema: %s",
                     c->count ? c->first : "invalid");
        goto out;
    }
    rc = 0;
out:
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(pctxt);
    return rc;
}

int
qc_relaxng_validate(const char *rng_path, const char *xml, qc_error **err)
{
    qc_rng_errors c;
    xmlRelaxNGParserCtxtPtr pc;
    xmlRelaxNGPtr schema;
    int rc;

    if (!rng_path || !xml)
        return qc_error_set(err, QC_E_INVALID, "relaxng: no schema or document");
    memset(&c, 0, sizeof(c));
    xmlSetGenericErrorFunc(NULL, qc_rng_silent);
    if (!(pc = xmlRelaxNGNewParserCtxt(rng_path))) {
        xmlSetGenericErrorFunc(NULL, NULL);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    xmlRelaxNGSetParserStructuredErrors(pc, qc_rng_collect, &c);
    schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    if (!schema) {
        xmlSetGenericErrorFunc(NULL, NULL);
        return qc_error_set(err, QC_E_XML, "cannot load schema '%s': %s", rng_path,
                            c.count ? c.first : "invalid schema");
    }
    memset(&c, 0, sizeof(c));
    rc = qc_rng_check(schema, xml, &c, err);
    xmlRelaxNGFree(schema);
    xmlSetGenericErrorFunc(NULL, NULL);
    return rc;
}
