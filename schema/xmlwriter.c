/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmlwriter.c: xmlTextWriter helpers producing libvirt's byte layout. */
#include "schema/xmlwriter.h"

#include <stdlib.h>
#include <string.h>

static int
qc_xw_fail(qc_error **err, const char *what)
{
    return qc_error_set(err, QC_E_XML, "writing XML: %s failed", what);
}

/* The result rc of an xmlTextWriter call: 0, or -1 with "what failed" in *err. */
static int
qc_xw_check(int rc, qc_error **err, const char *what)
{
    return rc < 0 ? qc_xw_fail(err, what) : 0;
}

int
qc_xw_open(qc_xw *x, qc_error **err)
{
    memset(x, 0, sizeof(*x));
    if (!(x->buf = xmlBufferCreate()))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!(x->w = xmlNewTextWriterMemory(x->buf, 0))) {
        qc_xw_close(x);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (xmlTextWriterSetIndent(x->w, 1) < 0 ||
        xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
        xmlTextWriterSetQuoteChar(x->w, '\'') < 0) {
        qc_xw_close(x);
        return qc_xw_fail(err, "writer set-up");
    }
    return 0;
}

void
qc_xw_close(qc_xw *x)
{
    if (x->w)
        xmlFreeTextWriter(x->w);
    if (x->buf)
        xmlBufferFree(x->buf);
    memset(x, 0, sizeof(*x));
}

char *
qc_xw_finish(qc_xw *x, qc_error **err)
{
    char *out = NULL;

    if (xmlTextWriterEndDocument(x->w) < 0 || xmlTextWriterFlush(x->w) < 0) {
        qc_xw_close(x);
        qc_xw_fail(err, "end of document");
        return NULL;
    }
    if (!(out = strdup((const char *) xmlBufferContent(x->buf))))
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    qc_xw_close(x);
    return out;
}

int
qc_xw_start(qc_xw *x, const char *name, qc_error **err)
{
    return qc_xw_check(xmlTextWriterStartElement(x->w, BAD_CAST name), err, name);
}

int
qc_xw_end(qc_xw *x, qc_error **err)
{
    return qc_xw_check(xmlTextWriterEndElement(x->w), err, "end element");
}

int
qc_xw_attr(qc_xw *x, const char *name, const char *value, qc_error **err)
{
    return qc_xw_check(xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST value), err, name);
}

int
qc_xw_text(qc_xw *x, const char *text, qc_error **err)
{
    return qc_xw_check(xmlTextWriterWriteString(x->w, BAD_CAST text), err, "text");
}

int
qc_xw_raw(qc_xw *x, const char *text, qc_error **err)
{
    return qc_xw_check(xmlTextWriterWriteRaw(x->w, BAD_CAST text), err, "raw text");
}

int
qc_xw_text_elem(qc_xw *x, const char *name, const char *text, qc_error **err)
{
    return qc_xw_check(xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST text), err, name);
}

int
qc_xw_empty_attr(qc_xw *x, const char *name, const char *attr, const char *value,
                 qc_error **err)
{
    if (qc_xw_start(x, name, err) < 0 || qc_xw_attr(x, attr, value, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

int
qc_xw_supported(qc_xw *x, const char *name, bool supported, bool leave_open, qc_error **err)
{
    if (qc_xw_start(x, name, err) < 0 ||
        qc_xw_attr(x, "supported", supported ? "yes" : "no", err) < 0)
        return -1;
    if (supported && leave_open)
        return 0;
    return qc_xw_end(x, err);
}

int
qc_xw_enum(qc_xw *x, const char *name, const char *const *values, size_t n, qc_error **err)
{
    if (qc_xw_start(x, "enum", err) < 0 || qc_xw_attr(x, "name", name, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (qc_xw_text_elem(x, "value", values[i], err) < 0)
            return -1;
    }
    return qc_xw_end(x, err);
}
