/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* facts.c: XML documents as sets of facts (element path, attributes, text) and their diff. */
#include "schema/facts.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

static const qc_xml_key qc_default_keys[] = {
    {"guest", "arch/@name"},
    {"secmodel", "model"},
};

const qc_xml_key *
qc_xml_facts_default_keys(size_t *ret_n)
{
    *ret_n = QC_N_ELEMENTS(qc_default_keys);
    return qc_default_keys;
}

void
qc_xml_facts_clear(qc_xml_facts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].text);
    }
    free(f->v);
    memset(f, 0, sizeof(*f));
}

/* ---- writing text ------------------------------------------------------------------------ */

/* Writes s to f, newlines and tabs as \n and \t when `escape`. */
static void
qc_put(FILE *f, const char *s, bool escape)
{
    for (; s && *s; s++) {
        if (escape && *s == '\n')
            fputs("\\n", f);
        else if (escape && *s == '\t')
            fputs("\\t", f);
        else
            fputc(*s, f);
    }
}

/* Closes a stream of open_memstream(text, ...): *text, or NULL (freed) if a write failed. */
static char *
qc_memstream_close(FILE *f, char **text)
{
    bool failed = ferror(f);

    if (fclose(f) != 0 || failed) {
        free(*text);
        *text = NULL;
    }
    return *text;
}

/* ---- reading ----------------------------------------------------------------------------- */

typedef struct qc_facts_walk {
    xmlXPathContextPtr xp;
    const qc_xml_key *keys;
    size_t n_keys;
    qc_xml_facts *out;
} qc_facts_walk;

static char *
qc_key_value(xmlXPathContextPtr xp, xmlNodePtr node, const char *xpath)
{
    xmlXPathObjectPtr r;
    xmlChar *v;
    char *out;

    xp->node = node;
    if (!(r = xmlXPathEvalExpression(BAD_CAST xpath, xp)))
        return strdup("");
    v = xmlXPathCastToString(r);
    xmlXPathFreeObject(r);
    out = strdup(v ? (const char *)v : "");
    xmlFree(v);
    return out;
}

/* An element's own text: its direct text children, trimmed, escaped; NULL when blank
 * (*ret_oom tells the two NULLs apart). */
static char *
qc_own_text(xmlNodePtr node, bool *ret_oom)
{
    char *raw = NULL, *out = NULL, *s, *e;
    size_t len;
    FILE *f;

    *ret_oom = true;
    if (!(f = open_memstream(&raw, &len)))
        return NULL;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            qc_put(f, (const char *)c->content, false);
    }
    if (!(raw = qc_memstream_close(f, &raw)))
        return NULL;
    for (s = raw; *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'; s++)
        ;
    for (e = s + strlen(s);
         e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r'); e--)
        ;
    *e = '\0';
    if (!*s) {
        free(raw);
        *ret_oom = false;
        return NULL;
    }
    if ((f = open_memstream(&out, &len))) {
        qc_put(f, s, true);
        qc_memstream_close(f, &out);
    }
    free(raw);
    *ret_oom = !out;
    return out;
}

static int
qc_fact_push(qc_xml_facts *f, char *path, char *text, qc_error **err)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        qc_xml_fact *v = realloc(f->v, cap * sizeof(*v));

        if (!v) {
            free(path);
            free(text);
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        }
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n].path = path;
    f->v[f->n++].text = text;
    return 0;
}

/* The path of `node` below `prefix`: its name, attributes and key values. */
static char *
qc_node_path(qc_facts_walk *w, xmlNodePtr node, const char *prefix)
{
    char *path = NULL;
    size_t len;
    FILE *f = open_memstream(&path, &len);

    if (!f)
        return NULL;
    fprintf(f, "%s/%s", prefix, (const char *)node->name);
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);

        fprintf(f, "[@%s='", (const char *)a->name);
        qc_put(f, v ? (const char *)v : "", true);
        fputs("']", f);
        xmlFree(v);
    }
    for (size_t i = 0; i < w->n_keys; i++) {
        char *v;

        if (strcmp(w->keys[i].element, (const char *)node->name) != 0)
            continue;
        if (!(v = qc_key_value(w->xp, node, w->keys[i].xpath))) {
            fclose(f);
            free(path);
            return NULL;
        }
        fprintf(f, "[%s='", w->keys[i].xpath);
        qc_put(f, v, true);
        fputs("']", f);
        free(v);
    }
    return qc_memstream_close(f, &path);
}

static int
qc_facts_walk_node(qc_facts_walk *w, xmlNodePtr node, const char *prefix, qc_error **err)
{
    char *path = qc_node_path(w, node, prefix), *text;
    bool oom;

    if (!path)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    text = qc_own_text(node, &oom);
    if (oom) {
        free(path);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (qc_fact_push(w->out, path, text, err) < 0)
        return -1;
    /* path now belongs to the fact list, whose array may move but not the string */
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && qc_facts_walk_node(w, c, path, err) < 0)
            return -1;
    }
    return 0;
}

int
qc_xml_facts_read(const char *xml, size_t len, const char *name, const qc_xml_key *keys,
                  size_t n_keys, qc_xml_facts *ret, qc_error **err)
{
    xmlParserCtxtPtr ctxt;
    xmlXPathContextPtr xp = NULL;
    xmlDocPtr doc = NULL;
    qc_facts_walk w;
    int rc = -1;

    if (!xml || len > (size_t)INT32_MAX)
        return qc_error_set(err, QC_E_INVALID, "%s: no document, or too large", name);
    if (!keys)
        keys = qc_xml_facts_default_keys(&n_keys);
    if (!(ctxt = xmlNewParserCtxt()))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !xmlDocGetRootElement(doc)) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        size_t n = e && e->message ? strcspn(e->message, "\n") : 0;

        qc_error_set(err, QC_E_XML, "%s: %.*s", name, n ? (int)n : 6, n ? e->message : "no XML");
        goto out;
    }
    if (!(xp = xmlXPathNewContext(doc))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    w.xp = xp;
    w.keys = keys;
    w.n_keys = n_keys;
    w.out = ret;
    rc = qc_facts_walk_node(&w, xmlDocGetRootElement(doc), "", err);
out:
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

char *
qc_xml_fact_format(const qc_xml_fact *f)
{
    char *s = NULL;

    if (asprintf(&s, "%s%s%s", f->path, f->text ? "=" : "", f->text ? f->text : "") < 0)
        return NULL;
    return s;
}

/* ---- the difference of two documents --------------------------------------------------------- */

static int
qc_fact_cmp(const void *pa, const void *pb)
{
    const qc_xml_fact *a = *(const qc_xml_fact *const *)pa, *b = *(const qc_xml_fact *const *)pb;
    int r = strcmp(a->path, b->path);

    if (r || a->text == b->text)
        return r;
    if (!a->text || !b->text)
        return a->text ? 1 : -1;
    return strcmp(a->text, b->text);
}

/* The facts as a sorted set (pointers into f); NULL + err on OOM (an empty f gives a
 * valid, unused pointer). */
static const qc_xml_fact **
qc_fact_set(const qc_xml_facts *f, size_t *ret_n, qc_error **err)
{
    const qc_xml_fact **v = malloc((f->n ? f->n : 1) * sizeof(*v));
    size_t w = 0;

    if (!v) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < f->n; i++)
        v[i] = &f->v[i];
    if (f->n > 1)
        qsort(v, f->n, sizeof(*v), qc_fact_cmp);
    for (size_t i = 0; i < f->n; i++) {
        if (w == 0 || qc_fact_cmp(&v[w - 1], &v[i]) != 0)
            v[w++] = v[i];
    }
    *ret_n = w;
    return v;
}

/* Number of facts of a document (sorted set) at the path of f. */
static size_t
qc_same_path(const qc_xml_fact **v, size_t n, const qc_xml_fact *f)
{
    size_t k = 0;

    for (size_t j = 0; j < n; j++)
        k += strcmp(v[j]->path, f->path) == 0;
    return k;
}

int
qc_xml_facts_diff(const qc_xml_facts *old_f, const qc_xml_facts *new_f, qc_diff *d, qc_error **err)
{
    const qc_xml_fact **so = NULL, **sn = NULL, **ro = NULL, **an = NULL;
    size_t no = 0, nn = 0, nr = 0, na = 0, i = 0, j = 0;
    int rc = -1;

    if (!(so = qc_fact_set(old_f, &no, err)) || !(sn = qc_fact_set(new_f, &nn, err)) ||
        !(ro = malloc((no ? no : 1) * sizeof(*ro))) ||
        !(an = malloc((nn ? nn : 1) * sizeof(*an)))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    while (i < no || j < nn) {
        int r = i >= no ? 1 : j >= nn ? -1 : qc_fact_cmp(&so[i], &sn[j]);

        if (r < 0)
            ro[nr++] = so[i];
        else if (r > 0)
            an[na++] = sn[j];
        i += r <= 0;
        j += r >= 0;
    }
    for (i = 0; i < nr; i++) {
        const qc_xml_fact *f = ro[i], *pair = NULL;

        for (j = 0; j < na && !pair; j++) {
            if (an[j] && strcmp(an[j]->path, f->path) == 0)
                pair = an[j];
        }
        /* only an element that is alone at its path in both documents changed its text;
         * siblings (an enum's values) are members of a set */
        if (pair && qc_same_path(so, no, f) == 1 && qc_same_path(sn, nn, pair) == 1) {
            if (!qc_diff_add(d, QC_DIFF_DOCUMENT, QC_DIFF_CHANGED, NULL, f->path, "text", f->text,
                             pair->text, err))
                goto out;
            an[j - 1] = NULL; /* reported with its pair */
            continue;
        }
        if (!qc_diff_add(d, QC_DIFF_DOCUMENT, QC_DIFF_REMOVED, NULL, f->path, NULL, f->text, NULL,
                         err))
            goto out;
    }
    for (j = 0; j < na; j++) {
        if (an[j] && !qc_diff_add(d, QC_DIFF_DOCUMENT, QC_DIFF_ADDED, NULL, an[j]->path, NULL, NULL,
                                  an[j]->text, err))
            goto out;
    }
    rc = 0;
out:
    free(so);
    free(sn);
    free(ro);
    free(an);
    return rc;
}
