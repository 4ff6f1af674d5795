/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmljson.c: XML <-> JSON by the typed rule documented in schema/README.md, each element
 * shaped by its document's grammar (schema/jsonshape.h). */
#include "common/jsonwrite.h"
#include "schema/xmljson.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/cleanup.h"
#include "schema/jsonshape.h"
#include "schema/xmlwriter.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- XML -> JSON --------------------------------------------------------------------- */

typedef struct qc_xj {
    const qc_shape *shape;
    qc_error **err;
} qc_xj;

static bool
qc_xj_blank(const xmlChar *s)
{
    for (; s && *s; s++) {
        if (!strchr(" \t\r\n", *s))
            return false;
    }
    return true;
}

/* The JSON value of text @s of type @t, or NULL (error set) when @s is not of it. */
static json_object *
qc_xj_typed(qc_xj *c, const char *s, qc_jtype t, const char *what)
{
    json_object *v = NULL;

    if (t == QC_JT_NUMBER) {
        char *end;
        unsigned long long n;
        errno = 0;
        n = strtoull(s, &end, 10);
        /* only the canonical decimal form, so that JSON -> XML gives the same text */
        if (errno || end == s || *end || !strchr("0123456789", s[0]) ||
            (s[0] == '0' && s[1])) {
            qc_error_set(c->err, QC_E_FORMAT, "%s: '%s' is not a decimal number", what, s);
            return NULL;
        }
        v = json_object_new_uint64(n);
    } else if (t == QC_JT_BOOL) {
        if (strcmp(s, "yes") && strcmp(s, "no")) {
            qc_error_set(c->err, QC_E_FORMAT, "%s: '%s' is not yes or no", what, s);
            return NULL;
        }
        v = json_object_new_boolean(strcmp(s, "yes") == 0);
    } else {
        v = json_object_new_string(s);
    }
    if (!v)
        qc_error_set(c->err, QC_E_NOMEM, "out of memory");
    return v;
}

static int
qc_xj_add(qc_xj *c, json_object *o, const char *key, json_object *v)
{
    if (!v)
        return -1;
    if (json_object_object_add(o, key, v) < 0)
        return qc_error_set(c->err, QC_E_NOMEM, "out of memory");
    return 0;
}

static json_object *qc_xj_element(qc_xj *c, xmlNodePtr node, const char *parent);

/* Adds child element @ch of @node to @o: a list element to its array, made on first use. */
static int
qc_xj_child(qc_xj *c, json_object *o, xmlNodePtr node, xmlNodePtr ch)
{
    const char *name = (const char *) ch->name;
    const qc_shape_elem *se = qc_shape_elem_find(c->shape, (const char *) node->name, name);
    json_object *v, *list;

    if (!se)
        return qc_error_set(c->err, QC_E_FORMAT, "<%s> in <%s> is not in the grammar of <%s>",
                            name, (const char *) node->name, c->shape->root);
    if (!se->list && json_object_object_get_ex(o, name, NULL))
        return qc_error_set(c->err, QC_E_FORMAT, "<%s> in <%s> occurs twice: the grammar has one",
                            name, (const char *) node->name);
    if (!(v = qc_xj_element(c, ch, (const char *) node->name)))
        return -1;
    if (!se->list)
        return qc_xj_add(c, o, name, v);
    if (!json_object_object_get_ex(o, name, &list)) {
        if (qc_xj_add(c, o, name, list = json_object_new_array()) < 0) {
            json_object_put(v);
            return -1;
        }
    }
    if (json_object_array_add(list, v) < 0) {
        json_object_put(v);
        return qc_error_set(c->err, QC_E_NOMEM, "out of memory");
    }
    return 0;
}

static json_object *
qc_xj_element(qc_xj *c, xmlNodePtr node, const char *parent)
{
    const char *name = (const char *) node->name;
    const qc_shape_elem *se = qc_shape_elem_find(c->shape, parent, name); /* found before */
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    QC_CLEANUP(qc_freep) char *text = NULL;
    bool has_elem = false;

    for (xmlNodePtr ch = node->children; ch; ch = ch->next) {
        if (ch->type == XML_ELEMENT_NODE)
            has_elem = true;
        else if ((ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) &&
                 !qc_xj_blank(ch->content) && se->text == QC_JT_NONE) {
            qc_error_set(c->err, QC_E_FORMAT, "<%s> in <%s> has text: the grammar has none",
                         name, parent);
            return NULL;
        }
    }
    if (se->text != QC_JT_NONE) {
        xmlChar *t = xmlNodeGetContent(node);
        text = strdup(t ? (const char *) t : "");
        xmlFree(t);
        if (!text || has_elem) {
            qc_error_set(c->err, text ? QC_E_FORMAT : QC_E_NOMEM,
                         text ? "<%s> in <%s> mixes text and elements" : "out of memory",
                         name, parent);
            return NULL;
        }
        if (!se->attrs) /* <path>x</path> is simply "x" */
            return qc_xj_typed(c, text, se->text, name);
    }
    if (!(o = json_object_new_object())) {
        qc_error_set(c->err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
        char key[128];
        int rc;
        snprintf(key, sizeof(key), "@%s", (const char *) a->name);
        rc = qc_xj_add(c, o, key,
                       qc_xj_typed(c, v ? (const char *) v : "",
                                   qc_shape_attr_type(c->shape, parent, name,
                                                      (const char *) a->name),
                                   key));
        xmlFree(v);
        if (rc < 0)
            return NULL;
    }
    if (text && qc_xj_add(c, o, "#text", qc_xj_typed(c, text, se->text, name)) < 0)
        return NULL;
    for (xmlNodePtr ch = node->children; ch; ch = ch->next) {
        if (ch->type == XML_ELEMENT_NODE && qc_xj_child(c, o, node, ch) < 0)
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

QC_DEFINE_CLEANUP(xmlDocPtr, xmlFreeDoc);

char *
qc_xml_to_json(const char *xml, qc_error **err)
{
    QC_CLEANUP(xmlFreeDocp) xmlDocPtr doc = NULL;
    QC_CLEANUP(json_object_putp) json_object *top = NULL;
    qc_xj c = {.err = err};
    xmlNodePtr root;
    json_object *body;
    char *out = NULL;

    if (!xml)
        return qc_error_set(err, QC_E_INVALID, "no XML given"), NULL;
    if (!(doc = qc_xj_parse(xml, err)))
        return NULL;
    if (!(root = xmlDocGetRootElement(doc)))
        return qc_error_set(err, QC_E_XML, "empty XML"), NULL;
    if (!(c.shape = qc_shape_find((const char *) root->name)) ||
        !qc_shape_elem_find(c.shape, "", (const char *) root->name)) {
        qc_error_set(err, QC_E_FORMAT, "<%s>: not a document qcaps has a JSON form for",
                     (const char *) root->name);
        return NULL;
    }
    if (!(top = json_object_new_object()) ||
        qc_xj_add(&c, top, "format-version", json_object_new_int(QC_DOCUMENT_JSON_VERSION)) < 0)
        return qc_error_set(err, QC_E_NOMEM, "out of memory"), NULL;
    if (!(body = qc_xj_element(&c, root, "")) ||
        qc_xj_add(&c, top, (const char *) root->name, body) < 0)
        return NULL;
    if (!(out = qc_json_pretty_text(top)))
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

/* ---- JSON -> XML --------------------------------------------------------------------- */

/* The XML text of a scalar member: strings as they are, integers in decimal, booleans as
 * yes/no. NULL (error set) for anything else. */
static const char *
qc_jx_scalar(json_object *v, const char *what, qc_error **err)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return json_object_get_string(v);
    case json_type_int:
        if (json_object_get_int64(v) >= 0)
            return json_object_get_string(v); /* json-c's own decimal form, uint64 too */
        break;
    case json_type_boolean:
        return json_object_get_boolean(v) ? "yes" : "no";
    default:
        break;
    }
    qc_error_set(err, QC_E_FORMAT, "%s: expected a string, a non-negative integer or a boolean",
                 what);
    return NULL;
}

typedef struct qc_jx {
    qc_xw x;
    const qc_shape *shape;
    qc_error **err;
} qc_jx;

static int qc_jx_element(qc_jx *c, const char *name, json_object *v);

static int
qc_jx_text(qc_jx *c, json_object *v, const char *what)
{
    const char *t = qc_jx_scalar(v, what, c->err);

    if (!t)
        return -1;
    if (xmlTextWriterWriteString(c->x.w, BAD_CAST t) < 0)
        return qc_error_set(c->err, QC_E_XML, "writing XML: text failed");
    return 0;
}

/* The text of list item @v (a string, or an object's "#text"), or NULL. */
static const char *
qc_jx_item_text(json_object *v)
{
    json_object *t = v;

    if (json_object_is_type(v, json_type_object) && !json_object_object_get_ex(v, "#text", &t))
        return NULL;
    return json_object_is_type(t, json_type_string) ? json_object_get_string(t) : NULL;
}

/* Writes the items of @v's member @fol (an element that follows another) whose key
 * attribute is @text. */
static int
qc_jx_followers(qc_jx *c, json_object *v, const qc_shape_elem *fol, const char *text)
{
    json_object *list;
    char key[128];

    if (!text || !json_object_object_get_ex(v, fol->name, &list) ||
        !json_object_is_type(list, json_type_array))
        return 0;
    snprintf(key, sizeof(key), "@%s", fol->key);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i), *k;
        if (json_object_object_get_ex(item, key, &k) &&
            json_object_is_type(k, json_type_string) &&
            strcmp(json_object_get_string(k), text) == 0) {
            if (qc_jx_element(c, fol->name, item) < 0)
                return -1;
        }
    }
    return 0;
}

/* Writes the items of list member @k of element @name, each followed by the elements the
 * grammar puts after it (qc:follows). */
static int
qc_jx_list(qc_jx *c, const char *name, json_object *v, const char *k, json_object *list)
{
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i);
        if (qc_jx_element(c, k, item) < 0)
            return -1;
        for (size_t f = 0; f < c->shape->n_elems; f++) {
            const qc_shape_elem *fol = &c->shape->elems[f];
            if (fol->follows && !strcmp(fol->parent, name) && !strcmp(fol->follows, k) &&
                qc_jx_followers(c, v, fol, qc_jx_item_text(item)) < 0)
                return -1;
        }
    }
    return 0;
}

/* True when member @k of element @name is written after its leader, and @v has that
 * leader; its items that name no leader item are then an error. */
static int
qc_jx_is_follower(qc_jx *c, const char *name, json_object *v, const char *k, bool *ret)
{
    const qc_shape_elem *se = qc_shape_elem_find(c->shape, name, k);
    json_object *leaders, *list;
    size_t done = 0, want;

    *ret = false;
    if (!se || !se->follows || !json_object_object_get_ex(v, se->follows, &leaders) ||
        !json_object_is_type(leaders, json_type_array))
        return 0;
    *ret = true;
    json_object_object_get_ex(v, k, &list);
    want = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 1;
    /* count what the leaders' pass writes, without writing */
    for (size_t i = 0; i < json_object_array_length(leaders); i++) {
        const char *text = qc_jx_item_text(json_object_array_get_idx(leaders, i));
        char key[128];
        snprintf(key, sizeof(key), "@%s", se->key);
        for (size_t j = 0; text && list && j < json_object_array_length(list); j++) {
            json_object *kv;
            if (json_object_object_get_ex(json_object_array_get_idx(list, j), key, &kv) &&
                json_object_is_type(kv, json_type_string) &&
                strcmp(json_object_get_string(kv), text) == 0)
                done++;
        }
    }
    if (done != want)
        return qc_error_set(c->err, QC_E_FORMAT,
                            "%s.%s: every item must name one of the \"%s\" items in @%s", name,
                            k, se->follows, se->key);
    return 0;
}

static int
qc_jx_members(qc_jx *c, const char *name, json_object *v)
{
    /* attributes first (they must precede content), then content in member order */
    json_object_object_foreach(v, key, val)
    {
        const char *t;
        if (key[0] != '@')
            continue;
        if (!(t = qc_jx_scalar(val, key, c->err)) || qc_xw_attr(&c->x, key + 1, t, c->err) < 0)
            return -1;
    }
    json_object_object_foreach(v, k2, v2)
    {
        bool later;
        if (k2[0] == '@')
            continue;
        if (strcmp(k2, "#text") == 0) {
            if (qc_jx_text(c, v2, name) < 0)
                return -1;
        } else if (qc_jx_is_follower(c, name, v, k2, &later) < 0) {
            return -1;
        } else if (later) {
            continue;
        } else if (json_object_is_type(v2, json_type_array)) {
            if (qc_jx_list(c, name, v, k2, v2) < 0)
                return -1;
        } else if (qc_jx_element(c, k2, v2) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
qc_jx_element(qc_jx *c, const char *name, json_object *v)
{
    if (qc_xw_start(&c->x, name, c->err) < 0)
        return -1;
    if (json_object_is_type(v, json_type_object)) {
        if (qc_jx_members(c, name, v) < 0)
            return -1;
    } else if (qc_jx_text(c, v, name) < 0) {
        return -1;
    }
    return qc_xw_end(&c->x, c->err);
}

char *
qc_json_to_xml(const char *json, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *top = NULL;
    json_object *fv;
    qc_jx c = {.err = err};

    if (!json || !(top = json_tokener_parse(json)) ||
        !json_object_is_type(top, json_type_object) || json_object_object_length(top) != 2 ||
        !json_object_object_get_ex(top, "format-version", &fv)) {
        qc_error_set(err, QC_E_FORMAT,
                     "JSON document must be an object with \"format-version\" and one element");
        return NULL;
    }
    if (!json_object_is_type(fv, json_type_int) ||
        json_object_get_int64(fv) != QC_DOCUMENT_JSON_VERSION) {
        qc_error_set(err, QC_E_FORMAT, "format-version: %s is not %d",
                     json_object_to_json_string(fv), QC_DOCUMENT_JSON_VERSION);
        return NULL;
    }
    json_object_object_foreach(top, name, body)
    {
        if (strcmp(name, "format-version") == 0)
            continue;
        if (!(c.shape = qc_shape_find(name))) {
            qc_error_set(err, QC_E_FORMAT, "\"%s\": not a document qcaps has a JSON form for",
                         name);
            return NULL;
        }
        if (qc_xw_open(&c.x, err) < 0)
            return NULL;
        if (qc_jx_element(&c, name, body) < 0) {
            qc_xw_close(&c.x);
            return NULL;
        }
    }
    return qc_xw_finish(&c.x, err);
}
