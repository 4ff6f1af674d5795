/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture-read.c: parses fixture files, qcaps' layout and libvirt's .replies layout, into
 * the indexed qc_fixture (never trusting the file: every malformation is QC_E_FORMAT). */
#include "qmp/fixture-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"

/* Fixtures are small (the largest libvirt .replies file is a few MiB); the cap only keeps a
 * wrong path (a disk image, /dev/zero) from exhausting memory. */
#define QC_FIXTURE_MAX_FILE ((size_t) 256 << 20)

/* ---- parsing ----------------------------------------------------------------------- */

typedef struct qc_fixture_parser {
    qc_fixture *fx;
    qc_fixture_section *cur;
    size_t n_objects;
    json_object *pending;    /* command awaiting its reply (borrowed from cur->messages) */
    char *pending_key;
    unsigned pending_line;
    qc_jr jr;                /* the members of the current object: what = "<file>:<line>: " */
    char *what;
} qc_fixture_parser;

static int
qc_fixture_add_section(qc_fixture_parser *p, const char *name, qc_error **err)
{
    qc_fixture *fx = p->fx;
    qc_fixture_section *grown, *s;

    grown = realloc(fx->sections, (fx->n_sections + 1) * sizeof(*grown));
    if (!grown)
        return qc_error_set(err, QC_E_NOMEM, "out of memory adding fixture section");
    fx->sections = grown;
    s = &fx->sections[fx->n_sections];
    memset(s, 0, sizeof(*s));
    s->name = strdup(name);
    s->messages = json_object_new_array();
    s->replies = json_object_new_object();
    fx->n_sections++;
    if (!s->name || !s->messages || !s->replies)
        return qc_error_set(err, QC_E_NOMEM, "out of memory adding fixture section");
    p->cur = s;
    return 0;
}

static int
qc_fixture_unreplied(qc_fixture_parser *p, qc_error **err)
{
    json_object *cmd = NULL;

    json_object_object_get_ex(p->pending, "execute", &cmd);
    return qc_error_set(err, QC_E_FORMAT, "%s:%u: command '%s' has no reply", p->fx->name,
                        p->pending_line, json_object_get_string(cmd));
}

static int
qc_fixture_on_header(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    const char *file = p->fx->name;
    json_object *version;

    if (p->n_objects != 0)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: the 'qcaps-fixture' header must be the first object", file,
                            line);
    if (qc_jr_get(&p->jr, obj, "qcaps-fixture", json_type_int, false, &version) < 0)
        return -1;
    if (json_object_get_int64(version) != QC_FIXTURE_FORMAT_VERSION)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: unsupported fixture format version %s (expected %d)", file,
                            line, json_object_get_string(version), QC_FIXTURE_FORMAT_VERSION);
    p->fx->header = json_object_get(obj);
    return 0;
}

static int
qc_fixture_on_marker(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    const char *file = p->fx->name;
    json_object *name;
    const char *s;

    if (p->fx->libvirt)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: section marker after messages outside any section", file,
                            line);
    if (p->pending)
        return qc_fixture_unreplied(p, err);
    if (qc_jr_get(&p->jr, obj, "qcaps-section", json_type_string, false, &name) < 0)
        return -1;
    if (!*(s = json_object_get_string(name))) {
        size_t mark = qc_jr_key(&p->jr, "qcaps-section");

        qc_jr_fail(&p->jr, "expected a non-empty string");
        qc_jr_pop(&p->jr, mark);
        return -1;
    }
    if (qc_fixture_find_section(p->fx, s))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: duplicate section '%s'", file, line, s);
    return qc_fixture_add_section(p, s, err);
}

static int
qc_fixture_on_command(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    json_object *cmd = NULL, *args = NULL;

    if (p->pending)
        return qc_fixture_unreplied(p, err);
    if (qc_jr_get(&p->jr, obj, "execute", json_type_string, false, &cmd) < 0 ||
        (json_object_object_get_ex(obj, "arguments", NULL) &&
         qc_jr_get(&p->jr, obj, "arguments", json_type_object, false, &args) < 0))
        return -1;
    p->pending_key = qc_fixture_key(json_object_get_string(cmd), args, NULL, err);
    if (!p->pending_key)
        return -1;
    p->pending = obj;
    p->pending_line = line;
    return 0;
}

/* {"class": string, "desc": string}, as QMP's error replies carry. */
static int
qc_fixture_check_error_member(qc_jr *r, json_object *obj)
{
    json_object *e, *cls, *desc;
    size_t mark;
    int rc;

    if (qc_jr_get(r, obj, "error", json_type_object, false, &e) < 0)
        return -1;
    mark = qc_jr_key(r, "error");
    rc = qc_jr_get(r, e, "class", json_type_string, false, &cls) < 0 ||
                 qc_jr_get(r, e, "desc", json_type_string, false, &desc) < 0
             ? -1
             : 0;
    qc_jr_pop(r, mark);
    return rc;
}

/* True when both carry an "id" and the ids differ. A command is followed by its reply
 * (the layout pairs them by position); the writer pairs them by id, so a file whose ids
 * contradict the order would not survive a rewrite: reject it. */
static bool
qc_fixture_ids_differ(json_object *cmd, json_object *reply)
{
    json_object *a, *b;

    if (!json_object_object_get_ex(cmd, "id", &a) || !json_object_object_get_ex(reply, "id", &b))
        return false;
    return !json_object_equal(a, b);
}

static int
qc_fixture_on_reply(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    const char *file = p->fx->name;
    json_object *list = NULL;
    bool has_return = json_object_object_get_ex(obj, "return", NULL);
    bool has_error = json_object_object_get_ex(obj, "error", NULL);

    if (!p->pending)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: reply without a command", file, line);
    if (has_return && has_error)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: reply has both 'return' and 'error'",
                            file, line);
    if (has_error && qc_fixture_check_error_member(&p->jr, obj) < 0)
        return -1;
    if (qc_fixture_ids_differ(p->pending, obj))
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: reply id %s does not match its command's id %s", file,
                            line, json_object_to_json_string(json_object_object_get(obj, "id")),
                            json_object_to_json_string(json_object_object_get(p->pending,
                                                                              "id")));
    if (!json_object_object_get_ex(p->cur->replies, p->pending_key, &list)) {
        list = json_object_new_array();
        if (!list || json_object_object_add(p->cur->replies, p->pending_key, list) < 0) {
            json_object_put(list);
            return qc_error_set(err, QC_E_NOMEM, "out of memory indexing fixture");
        }
    }
    if (json_object_array_add(list, json_object_get(obj)) < 0) {
        json_object_put(obj);
        return qc_error_set(err, QC_E_NOMEM, "out of memory indexing fixture");
    }
    free(p->pending_key);
    p->pending_key = NULL;
    p->pending = NULL;
    return 0;
}

/* Greeting, command, reply or event: all belong to the current section. */
static int
qc_fixture_on_message(qc_fixture_parser *p, json_object *obj, const char *kind, unsigned line,
                      qc_error **err)
{
    const char *file = p->fx->name;

    if (!p->cur) {
        if (p->fx->header)
            return qc_error_set(err, QC_E_FORMAT,
                                "%s:%u: message before the first 'qcaps-section' marker", file,
                                line);
        /* No header and no marker: libvirt's layout, one implicit section. */
        p->fx->libvirt = true;
        if (qc_fixture_add_section(p, QC_FIXTURE_DEFAULT_SECTION, err) < 0)
            return -1;
    }
    if (strcmp(kind, "QMP") == 0) {
        json_object *greeting;

        if (p->pending)
            return qc_fixture_unreplied(p, err);
        if (qc_jr_get(&p->jr, obj, "QMP", json_type_object, false, &greeting) < 0)
            return -1;
        if (p->cur->greeting)
            return qc_error_set(err, QC_E_FORMAT, "%s:%u: second greeting in section '%s'",
                                file, line, p->cur->name);
        p->cur->greeting = obj;
    } else if (strcmp(kind, "execute") == 0) {
        if (qc_fixture_on_command(p, obj, line, err) < 0)
            return -1;
    } else if (strcmp(kind, "event") == 0) {
        json_object *name;

        if (qc_jr_get(&p->jr, obj, "event", json_type_string, false, &name) < 0)
            return -1;
    } else if (qc_fixture_on_reply(p, obj, line, err) < 0) {
        return -1;
    }
    if (json_object_array_add(p->cur->messages, json_object_get(obj)) < 0) {
        json_object_put(obj);
        return qc_error_set(err, QC_E_NOMEM, "out of memory storing fixture message");
    }
    return 0;
}

static int
qc_fixture_on_object(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    static const char *const kinds[] = {"qcaps-fixture", "qcaps-section", "QMP", "execute",
                                        "return", "error", "event"};
    const char *file = p->fx->name, *kind = NULL;
    int found = 0;

    if (!json_object_is_type(obj, json_type_object))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: expected a JSON object", file, line);
    for (size_t i = 0; i < QC_N_ELEMENTS(kinds); i++) {
        if (!json_object_object_get_ex(obj, kinds[i], NULL))
            continue;
        /* "return" and "error" together are one (bad) reply, reported as such. */
        if (kind && strcmp(kinds[i], "error") == 0 && strcmp(kind, "return") == 0)
            continue;
        found++;
        kind = kinds[i];
    }
    if (found == 0)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: unrecognised object (expected a command, reply, event, "
                            "greeting, header or section marker)",
                            file, line);
    if (found > 1)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: object is of more than one kind", file,
                            line);
    /* the members' messages name the file and the object's line */
    sprintf(p->what, "%s:%u: ", file, line);
    qc_jr_init(&p->jr, p->what, NULL, err);
    if (strcmp(kind, "qcaps-fixture") == 0)
        return qc_fixture_on_header(p, obj, line, err);
    if (strcmp(kind, "qcaps-section") == 0)
        return qc_fixture_on_marker(p, obj, line, err);
    return qc_fixture_on_message(p, obj, kind, line, err);
}

static unsigned
qc_count_newlines(const char *s, size_t n)
{
    unsigned lines = 0;

    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines;
}

static bool
qc_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits data into consecutive JSON values with the tokener (never on blank lines). */
static int
qc_fixture_parse_all(qc_fixture_parser *p, const char *data, size_t len, qc_error **err)
{
    const char *file = p->fx->name;
    struct json_tokener *tok = json_tokener_new();
    size_t pos = 0;
    unsigned line = 1;
    int rc = -1;

    if (!tok)
        return qc_error_set(err, QC_E_NOMEM, "out of memory creating JSON tokener");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                    JSON_TOKENER_VALIDATE_UTF8);
    for (;;) {
        QC_CLEANUP(json_object_putp) json_object *obj = NULL;
        enum json_tokener_error jerr;
        unsigned obj_line;
        size_t end;

        while (pos < len && qc_json_space(data[pos])) {
            line += data[pos] == '\n';
            pos++;
        }
        if (pos == len)
            break;
        obj_line = line;
        json_tokener_reset(tok);
        obj = json_tokener_parse_ex(tok, data + pos, (int) (len - pos));
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (end > len - pos)
            end = len - pos;
        if (jerr == json_tokener_continue) {
            qc_error_set(err, QC_E_FORMAT, "%s:%u: truncated JSON value", file, obj_line);
            goto out;
        }
        if (jerr != json_tokener_success) {
            qc_error_set(err, QC_E_FORMAT, "%s:%u: invalid JSON: %s", file,
                         line + qc_count_newlines(data + pos, end),
                         json_tokener_error_desc(jerr));
            goto out;
        }
        if (!obj || end == 0) {
            qc_error_set(err, QC_E_FORMAT, "%s:%u: expected a JSON object", file, obj_line);
            goto out;
        }
        line += qc_count_newlines(data + pos, end);
        pos += end;
        if (qc_fixture_on_object(p, obj, obj_line, err) < 0)
            goto out;
        p->n_objects++;
    }
    if (p->pending) {
        qc_fixture_unreplied(p, err);
        goto out;
    }
    if (p->n_objects == 0) {
        qc_error_set(err, QC_E_FORMAT, "%s:%u: empty fixture", file, line);
        goto out;
    }
    rc = 0;
out:
    json_tokener_free(tok);
    return rc;
}

qc_fixture *
qc_fixture_parse(const char *data, size_t len, const char *name, qc_error **err)
{
    QC_CLEANUP(qc_fixture_freep) qc_fixture *fx = calloc(1, sizeof(*fx));
    qc_fixture_parser p = {0};
    int rc;

    if (!fx || !(fx->name = strdup(name ? name : "<memory>"))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory parsing fixture");
        return NULL;
    }
    if (!data && len) {
        qc_error_set(err, QC_E_INVALID, "%s: no data", fx->name);
        return NULL;
    }
    if (len >= INT_MAX) {
        qc_error_set(err, QC_E_FORMAT, "%s: fixture too large (%zu bytes)", fx->name, len);
        return NULL;
    }
    p.fx = fx;
    /* "<name>:<line>: ", a line number of at most 10 digits */
    if (!(p.what = malloc(strlen(fx->name) + 14))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory parsing fixture");
        return NULL;
    }
    rc = qc_fixture_parse_all(&p, data ? data : "", len, err);
    free(p.pending_key);
    free(p.what);
    if (rc < 0)
        return NULL;
    return qc_steal(&fx);
}

/* Reads the file whole, its failures worded as before the common reader: a missing file is
 * QC_E_NOTFOUND and anything but a regular file QC_E_FORMAT, since callers tell these
 * apart from the system errors. */
static int
qc_fixture_read(const char *path, char **ret_data, size_t *ret_len, qc_error **err)
{
    qc_error *e = NULL;

    if (qc_file_read(AT_FDCWD, path, QC_READ_REGULAR, QC_FIXTURE_MAX_FILE, ret_data, ret_len,
                     &e) == 0)
        return 0;
    if (e->code == QC_E_SYSTEM && e->sys_errno == ENOENT)
        qc_error_set(err, QC_E_NOTFOUND, "fixture '%s' does not exist", path);
    else if (e->code == QC_E_INVALID)
        qc_error_set(err, QC_E_FORMAT, "fixture '%s' is not a regular file", path);
    else if (e->code == QC_E_FORMAT)
        qc_error_set(err, QC_E_FORMAT, "fixture '%s' is larger than %zu MiB", path,
                     QC_FIXTURE_MAX_FILE >> 20);
    else {
        qc_error_prefix(&e, "fixture");
        return qc_error_propagate(err, e);
    }
    qc_error_free(e);
    return -1;
}

qc_fixture *
qc_fixture_load(const char *path, qc_error **err)
{
    qc_autofree char *data = NULL;
    size_t len = 0;

    if (!path) {
        qc_error_set(err, QC_E_INVALID, "no fixture path given");
        return NULL;
    }
    if (qc_fixture_read(path, &data, &len, err) < 0)
        return NULL;
    return qc_fixture_parse(data, len, path, err);
}
