/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmlfacts.c: flattens an XML document into one line per element ("fact") for set diffs.
 *
 * Usage: xmlfacts [-k ELEMENT=XPATH]... FILE|-
 * Each element gives one line: its path from the root, every segment carrying that
 * element's attributes in document order ([@name='value']), then "=text" when the element
 * has non-blank text of its own. An element named in a -k option (built in: guest=arch/@name,
 * secmodel=model) also carries [XPATH='value'], the XPath evaluated from it, so siblings that
 * differ only below (a <guest>'s <features>) stay apart. Sort the output to compare two
 * documents order-insensitively (comm, diff). Exit: 0 ok, 1 usage, 2 unreadable XML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#define QC_MAX_KEYS 32

typedef struct qc_key {
    const char *element;
    const char *xpath;
} qc_key;

static qc_key qc_keys[QC_MAX_KEYS] = {
    {"guest", "arch/@name"},
    {"secmodel", "model"},
};
static size_t qc_n_keys = 2;

/* Appends s to *buf (grown as needed), escaping newlines and tabs. */
static int
qc_append(char **buf, size_t *len, size_t *cap, const char *s, int escape)
{
    for (; *s; s++) {
        const char *piece = (char[]){*s, '\0'};

        if (escape && *s == '\n')
            piece = "\\n";
        else if (escape && *s == '\t')
            piece = "\\t";
        while (*len + strlen(piece) + 1 > *cap) {
            char *nb = realloc(*buf, *cap = *cap ? *cap * 2 : 256);

            if (!nb)
                return -1;
            *buf = nb;
        }
        memcpy(*buf + *len, piece, strlen(piece) + 1);
        *len += strlen(piece);
    }
    return 0;
}

static char *
qc_key_value(xmlXPathContextPtr xp, xmlNodePtr node, const char *xpath)
{
    xmlXPathObjectPtr r;
    xmlChar *v = NULL;
    char *out;

    xp->node = node;
    if (!(r = xmlXPathEvalExpression(BAD_CAST xpath, xp)))
        return NULL;
    v = xmlXPathCastToString(r);
    xmlXPathFreeObject(r);
    out = v ? strdup((const char *) v) : NULL;
    xmlFree(v);
    return out;
}

/* Own text of an element: its direct text children, trimmed, escaped; NULL if blank. */
static char *
qc_own_text(xmlNodePtr node)
{
    size_t len = 0, cap = 0, olen = 0, ocap = 0;
    char *raw = NULL, *out = NULL, *s, *e;

    for (xmlNodePtr c = node->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
            qc_append(&raw, &len, &cap, (const char *) c->content, 0) < 0) {
            free(raw);
            return NULL;
        }
    }
    if (!raw)
        return NULL;
    for (s = raw; *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'; s++)
        ;
    for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' ||
                                      e[-1] == '\r'); e--)
        ;
    *e = '\0';
    if (*s && qc_append(&out, &olen, &ocap, s, 1) < 0) {
        free(out);
        out = NULL;
    }
    free(raw);
    return out;
}

static int
qc_walk(xmlXPathContextPtr xp, xmlNodePtr node, const char *prefix)
{
    size_t len = 0, cap = 0;
    char *path = NULL, *text;
    int rc = 0;

    if (qc_append(&path, &len, &cap, prefix, 0) < 0 ||
        qc_append(&path, &len, &cap, "/", 0) < 0 ||
        qc_append(&path, &len, &cap, (const char *) node->name, 0) < 0)
        return -1;
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);

        rc = qc_append(&path, &len, &cap, "[@", 0) | qc_append(&path, &len, &cap,
                                                                (const char *) a->name, 0) |
             qc_append(&path, &len, &cap, "='", 0) |
             qc_append(&path, &len, &cap, v ? (const char *) v : "", 1) |
             qc_append(&path, &len, &cap, "']", 0);
        xmlFree(v);
        if (rc < 0)
            goto out;
    }
    for (size_t i = 0; i < qc_n_keys; i++) {
        char *v;

        if (strcmp(qc_keys[i].element, (const char *) node->name) != 0)
            continue;
        v = qc_key_value(xp, node, qc_keys[i].xpath);
        rc = qc_append(&path, &len, &cap, "[", 0) |
             qc_append(&path, &len, &cap, qc_keys[i].xpath, 0) |
             qc_append(&path, &len, &cap, "='", 0) | qc_append(&path, &len, &cap, v ? v : "", 1) |
             qc_append(&path, &len, &cap, "']", 0);
        free(v);
        if (rc < 0)
            goto out;
    }
    text = qc_own_text(node);
    printf("%s%s%s\n", path, text ? "=" : "", text ? text : "");
    free(text);
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && (rc = qc_walk(xp, c, path)) < 0)
            break;
    }
out:
    free(path);
    return rc;
}

int
main(int argc, char **argv)
{
    const char *file = NULL;
    xmlParserCtxtPtr ctxt;
    xmlXPathContextPtr xp;
    xmlDocPtr doc;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-k") && i + 1 < argc && strchr(argv[i + 1], '=') &&
            qc_n_keys < QC_MAX_KEYS) {
            char *eq = strchr(argv[++i], '=');

            *eq = '\0';
            qc_keys[qc_n_keys].element = argv[i];
            qc_keys[qc_n_keys++].xpath = eq + 1;
        } else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            file = argv[i];
        } else {
            fprintf(stderr, "usage: xmlfacts [-k ELEMENT=XPATH]... FILE|-\n");
            return 1;
        }
    }
    if (!file) {
        fprintf(stderr, "usage: xmlfacts [-k ELEMENT=XPATH]... FILE|-\n");
        return 1;
    }
    ctxt = xmlNewParserCtxt();
    doc = ctxt ? xmlCtxtReadFile(ctxt, !strcmp(file, "-") ? "/dev/stdin" : file, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
               : NULL;
    if (!doc || !xmlDocGetRootElement(doc)) {
        const xmlError *e = ctxt ? xmlCtxtGetLastError(ctxt) : NULL;

        fprintf(stderr, "xmlfacts: %s: %s", file, e && e->message ? e->message : "no XML\n");
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return 2;
    }
    xp = xmlXPathNewContext(doc);
    rc = xp ? qc_walk(xp, xmlDocGetRootElement(doc), "") : -1;
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (rc < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "xmlfacts: out of memory or write error\n");
        return 2;
    }
    return 0;
}
