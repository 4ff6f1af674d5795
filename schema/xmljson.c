/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmljson.c: XML <-> JSON by the generic rule documented in schema/README.md. */
#include "common/jsontext.h"
#include "schema/xmljson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/cleanup.h"
#include "schema/xmlwriter.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- XML -> JSON --------------------------------------------------------------------- */

static bool
qc_xj_blank(const xmlChar *s)
{
    for (; s && *s; s++) {
        if (!strchr(" \t\r\n", *s))
            return false;
    }
    return true;
}

/* True when the element's content fits the compact form: no text mixed with elements and
 * each child name in one contiguous run. */
static bool
qc_xj_compact(xmlNodePtr node, bool *ret_text_only)
{
    bool has_elem = false, has_text = false;

    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            has_elem = true;
            for (xmlNodePtr p = node->children; p != c; p = p->next) {
                /* an earlier run of the same name that ended before c */
                if (p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, c->name)) {
                    xmlNodePtr q = p->next;
                    while (q && q != c && (q->type != XML_ELEMENT_NODE ||
                                           xmlStrEqual(q->name, c->name)))
                        q = q->next;
                    if (q != c)
                        return false;
                    break;
                }
            }
        } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                   !qc_xj_blank(c->content)) {
            has_text = true;
        }
    }
    *ret_text_only = has_text && !has_elem;
    return !(has_text && has_elem);
}

static json_object *qc_xj_element(xmlNodePtr node);

static char *
qc_xj_text(xmlNodePtr node)
{
    xmlChar *t = xmlNodeGetContent(node);
    char *s = t ? strdup((const char *) t) : strdup("");

    xmlFree(t);
    return s;
}

static int
qc_xj_add_child(json_object *o, const char *name, json_object *v)
{
    json_object *prev;

    if (!v)
        return -1;
    if (!json_object_object_get_ex(o, name, &prev))
        return json_object_object_add(o, name, v);
    if (!json_object_is_type(prev, json_type_array)) {
        json_object *a = json_object_new_array();
        if (!a || json_object_array_add(a, json_object_get(prev)) < 0 ||
            json_object_object_add(o, name, a) < 0) {
            json_object_put(a);
            json_object_put(v);
            return -1;
        }
        prev = a;
    }
    return json_object_array_add(prev, v);
}

/* The general form: "#children": [{"name": value} | {"#text": "..."}, ...]. */
static int
qc_xj_children_general(json_object *o, xmlNodePtr node)
{
    json_object *a = json_object_new_array();

    if (!a || json_object_object_add(o, "#children", a) < 0)
        return -1;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        json_object *item, *v = NULL;
        /* whitespace-only text between elements is layout, which JSON -> XML recreates */
        if ((c->type == XML_TEXT_NODE && qc_xj_blank(c->content)) ||
            (c->type != XML_ELEMENT_NODE && c->type != XML_TEXT_NODE &&
             c->type != XML_CDATA_SECTION_NODE))
            continue;
        item = json_object_new_object();
        if (!item || json_object_array_add(a, item) < 0)
            return -1;
        if (c->type == XML_ELEMENT_NODE) {
            v = qc_xj_element(c);
            if (!v || json_object_object_add(item, (const char *) c->name, v) < 0)
                return -1;
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (json_object_object_add(item, "#text",
                                       json_object_new_string((const char *) c->content)) < 0)
                return -1;
        }
    }
    return 0;
}

static json_object *
qc_xj_element(xmlNodePtr node)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    bool text_only = false, compact = qc_xj_compact(node, &text_only);

    if (!o)
        return NULL;
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
        char *key = NULL;
        int rc = asprintf(&key, "@%s", (const char *) a->name);
        rc = rc < 0 ? -1
                    : json_object_object_add(o, key, json_object_new_string(v ? (char *) v : ""));
        free(key);
        xmlFree(v);
        if (rc < 0)
            return NULL;
    }
    if (text_only) {
        char *t = qc_xj_text(node);
        json_object *s = t ? json_object_new_string(t) : NULL;
        free(t);
        if (!node->properties)
            return s; /* <path>x</path> is simply "x" */
        if (!s || json_object_object_add(o, "#text", s) < 0)
            return NULL;
        return qc_steal(&o);
    }
    if (!compact) {
        if (qc_xj_children_general(o, node) < 0)
            return NULL;
        return qc_steal(&o);
    }
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            qc_xj_add_child(o, (const char *) c->name, qc_xj_element(c)) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

static xmlDocPtr
qc_xj_parse(const char *xml, qc_error **err)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    xmlDocPtr doc;

    if (!ctxt) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    doc = xmlCtxtReadMemory(ctxt, xml, (int) strlen(xml), "document.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        qc_error_set(err, QC_E_XML, "XML not well-formed: line %d: %s", e ? e->line : 0,
                     e && e->message ? e->message : "parse error");
        if (*err && (*err)->message) {
            size_t n = strlen((*err)->message);
            if (n && (*err)->message[n - 1] == '\n')
                (*err)->message[n - 1] = '\0';
        }
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

char *
qc_xml_to_json(const char *xml, qc_error **err)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    QC_CLEANUP(json_object_putp) json_object *top = NULL;
    json_object *body;
    const char *text;
    char *out = NULL;

    if (!xml) {
        qc_error_set(err, QC_E_INVALID, "no XML given");
        return NULL;
    }
    if (!(doc = qc_xj_parse(xml, err)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    top = json_object_new_object();
    body = root ? qc_xj_element(root) : NULL;
    if (!top || !body || json_object_object_add(top, (const char *) root->name, body) < 0) {
        xmlFreeDoc(doc);
        qc_error_set(err, root ? QC_E_NOMEM : QC_E_XML, root ? "out of memory" : "empty XML");
        return NULL;
    }
    xmlFreeDoc(doc);
    text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || asprintf(&out, "%s\n", text) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!(out = qc_json_text_layout(out)))
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

/* ---- JSON -> XML --------------------------------------------------------------------- */

static int qc_jx_element(qc_xw *x, const char *name, json_object *v, qc_error **err);

static int
qc_jx_text(qc_xw *x, const char *text, qc_error **err)
{
    if (xmlTextWriterWriteString(x->w, BAD_CAST text) < 0)
        return qc_error_set(err, QC_E_XML, "writing XML: text failed");
    return 0;
}

static int
qc_jx_general(qc_xw *x, json_object *a, qc_error **err)
{
    if (!json_object_is_type(a, json_type_array))
        return qc_error_set(err, QC_E_FORMAT, "'#children' must be an array");
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *item = json_object_array_get_idx(a, i);
        if (!json_object_is_type(item, json_type_object) ||
            json_object_object_length(item) != 1)
            return qc_error_set(err, QC_E_FORMAT, "'#children' items hold one member each");
        json_object_object_foreach(item, k, v)
        {
            if (strcmp(k, "#text") == 0) {
                if (!json_object_is_type(v, json_type_string) ||
                    qc_jx_text(x, json_object_get_string(v), err) < 0)
                    return qc_error_set(err, QC_E_FORMAT, "'#text' must be a string");
            } else if (qc_jx_element(x, k, v, err) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int
qc_jx_members(qc_xw *x, json_object *v, qc_error **err)
{
    /* attributes first (they must precede content), then content in member order */
    json_object_object_foreach(v, key, val)
    {
        if (key[0] != '@')
            continue;
        if (!json_object_is_type(val, json_type_string))
            return qc_error_set(err, QC_E_FORMAT, "attribute '%s' must be a string", key);
        if (qc_xw_attr(x, key + 1, json_object_get_string(val), err) < 0)
            return -1;
    }
    json_object_object_foreach(v, k2, v2)
    {
        if (k2[0] == '@')
            continue;
        if (strcmp(k2, "#text") == 0) {
            if (!json_object_is_type(v2, json_type_string))
                return qc_error_set(err, QC_E_FORMAT, "'#text' must be a string");
            if (qc_jx_text(x, json_object_get_string(v2), err) < 0)
                return -1;
        } else if (strcmp(k2, "#children") == 0) {
            if (qc_jx_general(x, v2, err) < 0)
                return -1;
        } else if (json_object_is_type(v2, json_type_array)) {
            for (size_t i = 0; i < json_object_array_length(v2); i++) {
                if (qc_jx_element(x, k2, json_object_array_get_idx(v2, i), err) < 0)
                    return -1;
            }
        } else if (qc_jx_element(x, k2, v2, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
qc_jx_element(qc_xw *x, const char *name, json_object *v, qc_error **err)
{
    if (qc_xw_start(x, name, err) < 0)
        return -1;
    if (json_object_is_type(v, json_type_string)) {
        if (qc_jx_text(x, json_object_get_string(v), err) < 0)
            return -1;
    } else if (json_object_is_type(v, json_type_object)) {
        if (qc_jx_members(x, v, err) < 0)
            return -1;
    } else {
        return qc_error_set(err, QC_E_FORMAT, "element '%s': expected a string or an object",
                            name);
    }
    return qc_xw_end(x, err);
}

char *
qc_json_to_xml(const char *json, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *top = NULL;
    qc_xw x;

    if (!json || !(top = json_tokener_parse(json)) ||
        !json_object_is_type(top, json_type_object) || json_object_object_length(top) != 1) {
        qc_error_set(err, QC_E_FORMAT, "JSON document must be an object with one member");
        return NULL;
    }
    if (qc_xw_open(&x, err) < 0)
        return NULL;
    json_object_object_foreach(top, name, body)
    {
        if (qc_jx_element(&x, name, body, err) < 0) {
            qc_xw_close(&x);
            return NULL;
        }
    }
    return qc_xw_finish(&x, err);
}
