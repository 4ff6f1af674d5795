/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rng-shape.c: a build-time tool. It reads RelaxNG grammars (the schema/ .rng files) and
 * writes the C tables of schema/jsonshape.h: for every element (named by its parent and
 * itself) whether it may repeat and carry attributes, and the type of its text and of each
 * attribute.
 *
 *   rng-shape OUTPUT.c GRAMMAR.rng...
 *   rng-shape --json-schema OUTPUT.json GRAMMAR.rng
 *
 * The second form writes the JSON Schema (draft 2020-12) of the JSON form of that grammar's
 * documents (schema/README.md): the same shapes, with each element's required members and
 * the values an enumeration allows.
 *
 * It knows the patterns these grammars use (element, attribute, ref/define, zeroOrMore,
 * oneOrMore, optional, choice, group, interleave, text, empty, data, value) and fails on
 * any other, so a grammar that grows a new construct cannot silently change a shape. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "schema/jsonshape.h"
#include "schema/xmljson.h"

/* kinds of values seen for one text or attribute; the type is decided from all of them */
enum { K_STRING = 1, K_NUMBER = 2, K_BOOL = 4 };

/* the namespace of the annotations rng-shape reads (qc:follows, qc:key) */
#define QC_SHAPE_NS "https://qcaps.invalid/ns/jsonshape"

static void
print_str(FILE *f, const char *s)
{
    if (s)
        fprintf(f, "\"%s\"", s);
    else
        fputs("NULL", f);
}

/* what a text or an attribute may hold */
typedef struct texty {
    int kinds;     /* K_* bits */
    bool open;     /* <text/> or <data>: not only the values below */
    char **values; /* the <value>s, in grammar order, each once */
    size_t n_values;
} texty;

typedef struct elem {
    char *parent, *name;
    bool list, attrs;
    texty text;
    char *follows, *key;
    int occurrences; /* times the grammar has this element */
    int required;    /* of them, in a position where it must occur */
} elem;

typedef struct attr {
    char *parent, *elem, *name;
    texty t;
    int required;
} attr;

/* where a pattern is: may it occur more than once; must it occur */
typedef struct pos {
    bool repeat, required;
} pos;

typedef struct grammar {
    const char *file;
    xmlDocPtr doc;
    char *root;
    elem *elems;
    size_t n_elems;
    attr *attrs;
    size_t n_attrs;
} grammar;

static void __attribute__((noreturn, format(printf, 2, 3)))
die(const grammar *g, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "rng-shape: %s: ", g ? g->file : "usage");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
    if (!(p = realloc(p, n))) {
        fputs("rng-shape: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *
xstrdup(const char *s)
{
    return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static bool
is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

static char *
prop(const grammar *g, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    char *s;

    if (!v)
        die(g, "line %d: <%s> without %s", n->line, (const char *) n->name, name);
    s = xstrdup((const char *) v);
    xmlFree(v);
    return s;
}

static elem *
elem_get(grammar *g, const char *parent, const char *name)
{
    for (size_t i = 0; i < g->n_elems; i++) {
        if (!strcmp(g->elems[i].parent, parent) && !strcmp(g->elems[i].name, name))
            return &g->elems[i];
    }
    g->elems = xrealloc(g->elems, (g->n_elems + 1) * sizeof(*g->elems));
    g->elems[g->n_elems] = (elem) {.parent = xstrdup(parent), .name = xstrdup(name)};
    return &g->elems[g->n_elems++];
}

static attr *
attr_get(grammar *g, const char *parent, const char *el, const char *name)
{
    for (size_t i = 0; i < g->n_attrs; i++) {
        attr *a = &g->attrs[i];
        if (!strcmp(a->parent, parent) && !strcmp(a->elem, el) && !strcmp(a->name, name))
            return a;
    }
    g->attrs = xrealloc(g->attrs, (g->n_attrs + 1) * sizeof(*g->attrs));
    g->attrs[g->n_attrs] =
        (attr) {.parent = xstrdup(parent), .elem = xstrdup(el), .name = xstrdup(name)};
    return &g->attrs[g->n_attrs++];
}

static xmlNodePtr
define_find(const grammar *g, xmlNodePtr ref)
{
    char *name = prop(g, ref, "name");

    for (xmlNodePtr c = xmlDocGetRootElement(g->doc)->children; c; c = c->next) {
        xmlChar *n = is(c, "define") ? xmlGetProp(c, BAD_CAST "name") : NULL;
        bool hit = n && strcmp((const char *) n, name) == 0;
        xmlFree(n);
        if (hit) {
            free(name);
            return c;
        }
    }
    die(g, "line %d: no define '%s'", ref->line, name);
}

static int
value_kind(const char *v)
{
    if (!strcmp(v, "yes") || !strcmp(v, "no"))
        return K_BOOL;
    if (*v && strspn(v, "0123456789") == strlen(v) && (v[0] != '0' || !v[1]))
        return K_NUMBER;
    return K_STRING;
}

static int
data_kind(const grammar *g, xmlNodePtr n)
{
    static const char *const integers[] = {"unsignedInt", "unsignedLong", "unsignedShort",
                                           "nonNegativeInteger", NULL};
    char *type = prop(g, n, "type");
    int k = K_STRING;

    for (size_t i = 0; integers[i]; i++) {
        if (!strcmp(type, integers[i]))
            k = K_NUMBER;
    }
    free(type);
    return k;
}

static void
texty_value(texty *t, const char *v)
{
    t->kinds |= value_kind(v);
    for (size_t i = 0; i < t->n_values; i++) {
        if (!strcmp(t->values[i], v))
            return;
    }
    t->values = xrealloc(t->values, (t->n_values + 1) * sizeof(*t->values));
    t->values[t->n_values++] = xstrdup(v);
}

/* Adds what text pattern @n allows (the content of an attribute or a text-only part). */
static void
text_kinds(grammar *g, xmlNodePtr n, texty *t, int depth)
{
    if (depth > 32)
        die(g, "line %d: references nest too deep", n->line);
    if (is(n, "text")) {
        t->kinds |= K_STRING;
        t->open = true;
    } else if (is(n, "data")) {
        t->kinds |= data_kind(g, n);
        t->open = true;
    } else if (is(n, "value")) {
        xmlChar *v = xmlNodeGetContent(n);
        texty_value(t, v ? (const char *) v : "");
        xmlFree(v);
    } else if (is(n, "ref")) {
        text_kinds(g, define_find(g, n), t, depth + 1);
    } else if (is(n, "choice") || is(n, "define") || is(n, "group")) {
        for (xmlNodePtr c = n->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE)
                text_kinds(g, c, t, depth + 1);
        }
    } else {
        die(g, "line %d: <%s> where text was expected", n->line, (const char *) n->name);
    }
}

static void walk_content(grammar *g, xmlNodePtr n, const char *parent, const char *self,
                         pos p, int depth);

static void
walk_element(grammar *g, xmlNodePtr n, const char *parent, pos p)
{
    char *name = prop(g, n, "name");
    elem *e = elem_get(g, parent, name);

    e->list |= p.repeat;
    e->occurrences++;
    e->required += p.required;
    if (!e->follows) {
        xmlChar *f = xmlGetNsProp(n, BAD_CAST "follows", BAD_CAST QC_SHAPE_NS);
        xmlChar *k = xmlGetNsProp(n, BAD_CAST "key", BAD_CAST QC_SHAPE_NS);
        if (!f != !k)
            die(g, "line %d: qc:follows and qc:key go together", n->line);
        if (f) {
            e->follows = xstrdup((const char *) f);
            e->key = xstrdup((const char *) k);
        }
        xmlFree(f);
        xmlFree(k);
    }
    for (xmlNodePtr c = n->children; c; c = c->next)
        walk_content(g, c, parent, name, (pos) {false, true}, 0);
    free(name);
}

/* Walks pattern @n inside element @self (whose parent is @parent), at position @p. */
static void
walk_content(grammar *g, xmlNodePtr n, const char *parent, const char *self, pos p, int depth)
{
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (depth > 32)
        die(g, "line %d: references nest too deep", n->line);
    if (is(n, "element")) {
        walk_element(g, n, self, p);
    } else if (is(n, "attribute")) {
        char *name = prop(g, n, "name");
        attr *a = attr_get(g, parent, self, name);
        bool content = false;
        for (xmlNodePtr c = n->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                text_kinds(g, c, &a->t, depth + 1);
                content = true;
            }
        }
        if (!content) { /* <attribute name='x'/> is text */
            a->t.kinds |= K_STRING;
            a->t.open = true;
        }
        a->required += p.required;
        elem_get(g, parent, self)->attrs = true;
        free(name);
    } else if (is(n, "text") || is(n, "data") || is(n, "value")) {
        text_kinds(g, n, &elem_get(g, parent, self)->text, depth + 1);
    } else if (is(n, "ref")) {
        xmlNodePtr d = define_find(g, n);
        for (xmlNodePtr c = d->children; c; c = c->next)
            walk_content(g, c, parent, self, p, depth + 1);
    } else if (is(n, "zeroOrMore") || is(n, "oneOrMore") || is(n, "optional") ||
               is(n, "choice") || is(n, "group") || is(n, "interleave")) {
        pos in = {p.repeat || is(n, "zeroOrMore") || is(n, "oneOrMore"),
                  p.required && !is(n, "zeroOrMore") && !is(n, "optional") && !is(n, "choice")};
        for (xmlNodePtr c = n->children; c; c = c->next)
            walk_content(g, c, parent, self, in, depth + 1);
    } else if (!is(n, "empty")) {
        die(g, "line %d: <%s> is not a pattern rng-shape knows", n->line,
            (const char *) n->name);
    }
}

static int
type_of(const grammar *g, int kinds, const char *what)
{
    if (kinds == 0)
        return QC_JT_NONE;
    if (kinds == K_NUMBER)
        return QC_JT_NUMBER;
    if (kinds == K_BOOL)
        return QC_JT_BOOL;
    if (kinds == (K_NUMBER | K_BOOL))
        die(g, "%s: both numbers and yes/no", what);
    return QC_JT_STRING;
}

static int
cmp_elem(const void *a, const void *b)
{
    const elem *x = a, *y = b;
    int r = strcmp(x->parent, y->parent);

    return r ? r : strcmp(x->name, y->name);
}

static int
cmp_attr(const void *a, const void *b)
{
    const attr *x = a, *y = b;
    int r = strcmp(x->parent, y->parent);

    if (!r)
        r = strcmp(x->elem, y->elem);
    return r ? r : strcmp(x->name, y->name);
}

static const char *const type_names[] = {"QC_JT_NONE", "QC_JT_STRING", "QC_JT_NUMBER",
                                         "QC_JT_BOOL"};

static void
emit(FILE *f, grammar *g, size_t idx)
{
    qsort(g->elems, g->n_elems, sizeof(*g->elems), cmp_elem);
    qsort(g->attrs, g->n_attrs, sizeof(*g->attrs), cmp_attr);
    fprintf(f, "\n/* %s */\nstatic const qc_shape_elem elems_%zu[] = {\n", g->file, idx);
    for (size_t i = 0; i < g->n_elems; i++) {
        const elem *e = &g->elems[i];
        char what[256];
        snprintf(what, sizeof(what), "<%s> in <%s>: text", e->name, e->parent);
        if (e->follows && !e->list)
            die(g, "<%s> in <%s>: qc:follows on an element that does not repeat", e->name,
                e->parent);
        fprintf(f, "    {\"%s\", \"%s\", %s, %s, %s, ", e->parent, e->name,
                e->list ? "true" : "false", e->attrs ? "true" : "false",
                type_names[type_of(g, e->text.kinds, what)]);
        print_str(f, e->follows);
        fputs(", ", f);
        print_str(f, e->key);
        fputs("},\n", f);
    }
    fprintf(f, "};\nstatic const qc_shape_attr attrs_%zu[] = {\n", idx);
    for (size_t i = 0; i < g->n_attrs; i++) {
        const attr *a = &g->attrs[i];
        char what[256];
        snprintf(what, sizeof(what), "attribute %s of <%s> in <%s>", a->name, a->elem,
                 a->parent);
        fprintf(f, "    {\"%s\", \"%s\", \"%s\", %s},\n", a->parent, a->elem, a->name,
                type_names[type_of(g, a->t.kinds, what)]);
    }
    fprintf(f,
            "};\nstatic const qc_shape shape_%zu = {\"%s\", elems_%zu, %zu, attrs_%zu, "
            "%zu};\n",
            idx, g->root, idx, g->n_elems, idx, g->n_attrs);
}

static void
texty_free(texty *t)
{
    for (size_t i = 0; i < t->n_values; i++)
        free(t->values[i]);
    free(t->values);
}

static void
grammar_free(grammar *g)
{
    for (size_t i = 0; i < g->n_elems; i++) {
        texty_free(&g->elems[i].text);
        free(g->elems[i].parent);
        free(g->elems[i].name);
        free(g->elems[i].follows);
        free(g->elems[i].key);
    }
    for (size_t i = 0; i < g->n_attrs; i++) {
        free(g->attrs[i].parent);
        free(g->attrs[i].elem);
        free(g->attrs[i].name);
        texty_free(&g->attrs[i].t);
    }
    free(g->elems);
    free(g->attrs);
    free(g->root);
    xmlFreeDoc(g->doc);
}

/* ---- JSON Schema -------------------------------------------------------------------- */

static json_object *
jnew(json_object *o)
{
    if (!o) {
        fputs("rng-shape: out of memory\n", stderr);
        exit(1);
    }
    return o;
}

static void
jadd(json_object *o, const char *key, json_object *v)
{
    if (json_object_object_add(o, key, jnew(v)) < 0)
        jnew(NULL);
}

static void
jpush(json_object *a, json_object *v)
{
    if (json_object_array_add(a, jnew(v)) < 0)
        jnew(NULL);
}

/* The schema of a text or attribute value of type @type. */
static json_object *
scalar_schema(const texty *t, int type)
{
    json_object *o = jnew(json_object_new_object()), *e;

    if (type == QC_JT_NUMBER) {
        jadd(o, "type", json_object_new_string("integer"));
        jadd(o, "minimum", json_object_new_int(0));
    } else {
        jadd(o, "type", json_object_new_string(type == QC_JT_BOOL ? "boolean" : "string"));
    }
    if (t->open || !t->n_values)
        return o;
    e = jnew(json_object_new_array());
    for (size_t i = 0; i < t->n_values; i++) {
        const char *v = t->values[i];
        jpush(e, type == QC_JT_NUMBER ? json_object_new_uint64(strtoull(v, NULL, 10))
                 : type == QC_JT_BOOL ? json_object_new_boolean(!strcmp(v, "yes"))
                                      : json_object_new_string(v));
    }
    jadd(o, "enum", e);
    return o;
}

static char *
def_name(const char *parent, const char *name)
{
    char *s = xrealloc(NULL, strlen(parent) + strlen(name) + 2);

    sprintf(s, "%s%s%s", parent, *parent ? "." : "", name);
    return s;
}

static json_object *
def_ref(const char *parent, const char *name)
{
    char *d = def_name(parent, name), *r = xrealloc(NULL, strlen(d) + 10);
    json_object *o = jnew(json_object_new_object());

    sprintf(r, "#/$defs/%s", d);
    jadd(o, "$ref", json_object_new_string(r));
    free(r);
    free(d);
    return o;
}

/* How often the grammar has an element named @name, under any parent. */
static int
name_occurrences(const grammar *g, const char *name)
{
    int n = 0;

    for (size_t i = 0; i < g->n_elems; i++)
        n += strcmp(g->elems[i].name, name) == 0 ? g->elems[i].occurrences : 0;
    return n;
}

static json_object *
elem_schema(const grammar *g, const elem *e)
{
    int text = type_of(g, e->text.kinds, e->name);
    json_object *o, *props, *req;
    char desc[256];

    if (!e->attrs && text != QC_JT_NONE) {
        o = scalar_schema(&e->text, text);
        snprintf(desc, sizeof(desc), "<%s>%s%s: its text", e->name, *e->parent ? " in " : "",
                 e->parent);
        jadd(o, "description", json_object_new_string(desc));
        return o;
    }
    o = jnew(json_object_new_object());
    snprintf(desc, sizeof(desc), "<%s>%s%s", e->name, *e->parent ? " in " : "", e->parent);
    jadd(o, "description", json_object_new_string(desc));
    jadd(o, "type", json_object_new_string("object"));
    props = jnew(json_object_new_object());
    req = jnew(json_object_new_array());
    for (size_t i = 0; i < g->n_attrs; i++) {
        const attr *a = &g->attrs[i];
        char key[128];
        if (strcmp(a->parent, e->parent) || strcmp(a->elem, e->name))
            continue;
        snprintf(key, sizeof(key), "@%s", a->name);
        jadd(props, key, scalar_schema(&a->t, type_of(g, a->t.kinds, a->name)));
        if (a->required == e->occurrences)
            jpush(req, json_object_new_string(key));
    }
    if (text != QC_JT_NONE) {
        jadd(props, "#text", scalar_schema(&e->text, text));
        jpush(req, json_object_new_string("#text"));
    }
    for (size_t i = 0; i < g->n_elems; i++) {
        const elem *c = &g->elems[i];
        json_object *v;
        if (strcmp(c->parent, e->name))
            continue;
        if (c->list) {
            v = jnew(json_object_new_object());
            jadd(v, "type", json_object_new_string("array"));
            jadd(v, "minItems", json_object_new_int(1));
            jadd(v, "items", def_ref(c->parent, c->name));
        } else {
            v = def_ref(c->parent, c->name);
        }
        jadd(props, c->name, v);
        if (c->required == name_occurrences(g, e->name))
            jpush(req, json_object_new_string(c->name));
    }
    if (json_object_object_length(props))
        jadd(o, "properties", props);
    else
        json_object_put(props);
    if (json_object_array_length(req))
        jadd(o, "required", req);
    else
        json_object_put(req);
    jadd(o, "additionalProperties", json_object_new_boolean(false));
    return o;
}

static void
emit_schema(const char *out, grammar *g)
{
    json_object *top = jnew(json_object_new_object()), *props, *defs, *req;
    char buf[512];
    const char *text;
    FILE *f;

    qsort(g->elems, g->n_elems, sizeof(*g->elems), cmp_elem);
    qsort(g->attrs, g->n_attrs, sizeof(*g->attrs), cmp_attr);
    jadd(top, "$schema", json_object_new_string("https://json-schema.org/draft/2020-12/schema"));
    snprintf(buf, sizeof(buf), "https://qcaps.invalid/schema/%s", strrchr(out, '/') ?
             strrchr(out, '/') + 1 : out);
    jadd(top, "$id", json_object_new_string(buf));
    snprintf(buf, sizeof(buf), "qcaps <%s> --format json, format %d", g->root,
             QC_DOCUMENT_JSON_VERSION);
    jadd(top, "title", json_object_new_string(buf));
    snprintf(buf, sizeof(buf),
             "Generated from %s by schema/rng-shape.c. Each element is named by its parent "
             "and itself; one that may repeat is an array (absent when there are none), one "
             "that may carry attributes an object (attributes \"@name\", text \"#text\"), "
             "integers and yes/no are typed (schema/README.md).",
             g->file);
    jadd(top, "description", json_object_new_string(buf));
    jadd(top, "type", json_object_new_string("object"));
    req = jnew(json_object_new_array());
    jpush(req, json_object_new_string("format-version"));
    jpush(req, json_object_new_string(g->root));
    jadd(top, "required", req);
    props = jnew(json_object_new_object());
    jadd(props, "format-version", json_object_new_object());
    jadd(json_object_object_get(props, "format-version"), "const",
         json_object_new_int(QC_DOCUMENT_JSON_VERSION));
    jadd(props, g->root, def_ref("", g->root));
    jadd(top, "properties", props);
    jadd(top, "additionalProperties", json_object_new_boolean(false));
    defs = jnew(json_object_new_object());
    for (size_t i = 0; i < g->n_elems; i++) {
        char *d = def_name(g->elems[i].parent, g->elems[i].name);
        jadd(defs, d, elem_schema(g, &g->elems[i]));
        free(d);
    }
    jadd(top, "$defs", defs);
    text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!(f = fopen(out, "w")) || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0)
        die(g, "cannot write %s", out);
    json_object_put(top);
}

static void
grammar_load(grammar *g, const char *path)
{
    xmlNodePtr start = NULL, root;

    g->file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (!(g->doc = xmlReadFile(path, NULL, XML_PARSE_NONET)))
        die(g, "not well-formed");
    for (xmlNodePtr c = xmlDocGetRootElement(g->doc)->children; c; c = c->next) {
        if (is(c, "start"))
            start = c;
    }
    for (root = start ? start->children : NULL; root && !is(root, "element");)
        root = root->next;
    if (!root)
        die(g, "no <start><element>");
    g->root = prop(g, root, "name");
    walk_element(g, root, "", (pos) {false, true});
}

int
main(int argc, char **argv)
{
    FILE *f;

    if (argc == 4 && !strcmp(argv[1], "--json-schema")) {
        grammar g = {0};
        grammar_load(&g, argv[3]);
        emit_schema(argv[2], &g);
        grammar_free(&g);
        return 0;
    }
    if (argc < 3)
        die(NULL, "rng-shape OUTPUT.c GRAMMAR.rng... | --json-schema OUTPUT.json GRAMMAR.rng");
    if (!(f = fopen(argv[1], "w")))
        die(NULL, "cannot write %s", argv[1]);
    fputs("/* Generated by schema/rng-shape.c from the RelaxNG grammars: do not edit. */\n"
          "#include \"schema/jsonshape.h\"\n",
          f);
    for (int i = 2; i < argc; i++) {
        grammar g = {0};
        grammar_load(&g, argv[i]);
        emit(f, &g, (size_t) i - 2);
        grammar_free(&g);
    }
    fputs("\nconst qc_shape *const qc_shapes[] = {", f);
    for (int i = 2; i < argc; i++)
        fprintf(f, "&shape_%d, ", i - 2);
    fputs("NULL};\n", f);
    if (fclose(f) != 0)
        die(NULL, "cannot write %s", argv[1]);
    return 0;
}
