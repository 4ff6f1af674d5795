/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture.c: reading, matching and atomically writing recorded QMP conversations. */
#include "common/jsontext.h"
#include "qmp/fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* Fixtures are small (the largest libvirt .replies file is a few MiB); the cap only keeps a
 * wrong path (a disk image, /dev/zero) from exhausting memory. */
#define QC_FIXTURE_MAX_FILE ((size_t) 256 << 20)
#define QC_FIXTURE_DEFAULT_SECTION "default"

#define QC_JSON_PRINT_FLAGS                                                                    \
    (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef struct qc_fixture_section {
    char *name;
    json_object *greeting; /* the whole {"QMP": ...} message, or NULL */
    json_object *messages; /* array, file order */
    json_object *replies;  /* object: match key -> array of reply messages */
} qc_fixture_section;

struct qc_fixture {
    char *name;
    json_object *header;
    bool libvirt;
    qc_fixture_section *sections;
    size_t n_sections;
};

struct qc_fixture_cursor {
    const qc_fixture *fx;
    const qc_fixture_section *section;
    json_object *next; /* object: match key -> index of the next reply to hand out */
};

typedef struct qc_fixture_wsection {
    char *name;
    json_object *messages;
} qc_fixture_wsection;

struct qc_fixture_writer {
    json_object *header;
    qc_fixture_wsection *sections;
    size_t n_sections;
};

/* ---- canonical JSON ---------------------------------------------------------------- */

static int
qc_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* A copy of v sharing its scalars, with every object's keys inserted in sorted order
 * (json-c prints keys in insertion order). */
static json_object *
qc_json_sorted(json_object *v, qc_error **err)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        QC_CLEANUP(json_object_putp) json_object *copy = json_object_new_array_ext((int) n);

        if (!copy)
            goto oom;
        for (size_t i = 0; i < n; i++) {
            json_object *item = qc_json_sorted(json_object_array_get_idx(v, i), err);
            if (!item && json_object_array_get_idx(v, i))
                return NULL;
            if (json_object_array_add(copy, item) < 0) {
                json_object_put(item);
                goto oom;
            }
        }
        return qc_steal(&copy);
    }
    if (json_object_is_type(v, json_type_object)) {
        size_t n = (size_t) json_object_object_length(v), i = 0;
        qc_autofree const char **keys = calloc(n ? n : 1, sizeof(*keys));
        QC_CLEANUP(json_object_putp) json_object *copy = json_object_new_object();

        if (!keys || !copy)
            goto oom;
        json_object_object_foreach(v, key, val) {
            (void) val;
            keys[i++] = key;
        }
        qsort(keys, n, sizeof(*keys), qc_strcmp_p);
        for (i = 0; i < n; i++) {
            json_object *member = NULL, *item;

            json_object_object_get_ex(v, keys[i], &member);
            item = qc_json_sorted(member, err);
            if (!item && member)
                return NULL;
            if (json_object_object_add(copy, keys[i], item) < 0) {
                json_object_put(item);
                goto oom;
            }
        }
        return qc_steal(&copy);
    }
    return json_object_get(v);

oom:
    qc_error_set(err, QC_E_NOMEM, "out of memory building canonical JSON");
    return NULL;
}

char *
qc_json_canonical(json_object *v, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *sorted = NULL;
    const char *text;
    char *copy;

    if (v) {
        sorted = qc_json_sorted(v, err);
        if (!sorted)
            return NULL;
    }
    text = json_object_to_json_string_ext(sorted,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || !(copy = strdup(text))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory printing canonical JSON");
        return NULL;
    }
    return copy;
}

/* "command\n<canonical arguments>"; absent arguments count as {}. */
static char *
qc_fixture_key(const char *command, json_object *args, char **ret_args_text, qc_error **err)
{
    qc_autofree char *canon = NULL;
    char *key = NULL;

    if (args)
        canon = qc_json_canonical(args, err);
    else
        canon = strdup("{}");
    if (!canon) {
        qc_error_set(err, QC_E_NOMEM, "out of memory building fixture key");
        return NULL;
    }
    if (asprintf(&key, "%s\n%s", command, canon) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory building fixture key");
        return NULL;
    }
    if (ret_args_text)
        *ret_args_text = qc_steal(&canon);
    return key;
}

/* ---- fixture object ---------------------------------------------------------------- */

void
qc_fixture_free(qc_fixture *fx)
{
    if (!fx)
        return;
    for (size_t i = 0; i < fx->n_sections; i++) {
        free(fx->sections[i].name);
        json_object_put(fx->sections[i].messages);
        json_object_put(fx->sections[i].replies);
    }
    free(fx->sections);
    json_object_put(fx->header);
    free(fx->name);
    free(fx);
}

const char *
qc_fixture_name(const qc_fixture *fx)
{
    return fx ? fx->name : NULL;
}

json_object *
qc_fixture_header(const qc_fixture *fx)
{
    return fx ? fx->header : NULL;
}

bool
qc_fixture_is_libvirt_layout(const qc_fixture *fx)
{
    return fx && fx->libvirt;
}

size_t
qc_fixture_section_count(const qc_fixture *fx)
{
    return fx ? fx->n_sections : 0;
}

const char *
qc_fixture_section_name(const qc_fixture *fx, size_t i)
{
    return fx && i < fx->n_sections ? fx->sections[i].name : NULL;
}

json_object *
qc_fixture_section_messages(const qc_fixture *fx, size_t i)
{
    return fx && i < fx->n_sections ? fx->sections[i].messages : NULL;
}

static const qc_fixture_section *
qc_fixture_find_section(const qc_fixture *fx, const char *name)
{
    for (size_t i = 0; i < fx->n_sections; i++)
        if (strcmp(fx->sections[i].name, name) == 0)
            return &fx->sections[i];
    return NULL;
}

bool
qc_fixture_has_section(const qc_fixture *fx, const char *name)
{
    return fx && name && qc_fixture_find_section(fx, name);
}

/* ---- parsing ----------------------------------------------------------------------- */

typedef struct qc_fixture_parser {
    qc_fixture *fx;
    qc_fixture_section *cur;
    size_t n_objects;
    json_object *pending;    /* command awaiting its reply (borrowed from cur->messages) */
    char *pending_key;
    unsigned pending_line;
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
qc_fixture_on_header(qc_fixture_parser *p, json_object *obj, json_object *version,
                     unsigned line, qc_error **err)
{
    const char *file = p->fx->name;

    if (p->n_objects != 0)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: the 'qcaps-fixture' header must be the first object", file,
                            line);
    if (!json_object_is_type(version, json_type_int))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: 'qcaps-fixture' must be an integer",
                            file, line);
    if (json_object_get_int64(version) != QC_FIXTURE_FORMAT_VERSION)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: unsupported fixture format version %s (expected %d)", file,
                            line, json_object_get_string(version), QC_FIXTURE_FORMAT_VERSION);
    p->fx->header = json_object_get(obj);
    return 0;
}

static int
qc_fixture_on_marker(qc_fixture_parser *p, json_object *name, unsigned line, qc_error **err)
{
    const char *file = p->fx->name;
    const char *s;

    if (p->fx->libvirt)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: section marker after messages outside any section", file,
                            line);
    if (p->pending)
        return qc_fixture_unreplied(p, err);
    if (!json_object_is_type(name, json_type_string) || !*(s = json_object_get_string(name)))
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: 'qcaps-section' must be a non-empty string", file, line);
    if (qc_fixture_find_section(p->fx, s))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: duplicate section '%s'", file, line, s);
    return qc_fixture_add_section(p, s, err);
}

static int
qc_fixture_on_command(qc_fixture_parser *p, json_object *obj, unsigned line, qc_error **err)
{
    const char *file = p->fx->name;
    json_object *cmd = NULL, *args = NULL;

    if (p->pending)
        return qc_fixture_unreplied(p, err);
    json_object_object_get_ex(obj, "execute", &cmd);
    if (!json_object_is_type(cmd, json_type_string))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: 'execute' must be a string", file, line);
    if (json_object_object_get_ex(obj, "arguments", &args) &&
        !json_object_is_type(args, json_type_object))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: 'arguments' must be an object", file,
                            line);
    p->pending_key = qc_fixture_key(json_object_get_string(cmd), args, NULL, err);
    if (!p->pending_key)
        return -1;
    p->pending = obj;
    p->pending_line = line;
    return 0;
}

static int
qc_fixture_check_error_member(json_object *e)
{
    json_object *cls = NULL, *desc = NULL;

    return json_object_is_type(e, json_type_object) &&
                   json_object_object_get_ex(e, "class", &cls) &&
                   json_object_is_type(cls, json_type_string) &&
                   json_object_object_get_ex(e, "desc", &desc) &&
                   json_object_is_type(desc, json_type_string)
               ? 0
               : -1;
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
    json_object *e = NULL, *list = NULL;
    bool has_return = json_object_object_get_ex(obj, "return", NULL);
    bool has_error = json_object_object_get_ex(obj, "error", &e);

    if (!p->pending)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: reply without a command", file, line);
    if (has_return && has_error)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: reply has both 'return' and 'error'",
                            file, line);
    if (has_error && qc_fixture_check_error_member(e) < 0)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: 'error' must be an object with string 'class' and 'desc'",
                            file, line);
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
qc_fixture_on_message(qc_fixture_parser *p, json_object *obj, const char *kind,
                      json_object *value, unsigned line, qc_error **err)
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
        if (p->pending)
            return qc_fixture_unreplied(p, err);
        if (!json_object_is_type(value, json_type_object))
            return qc_error_set(err, QC_E_FORMAT, "%s:%u: 'QMP' must be an object", file,
                                line);
        if (p->cur->greeting)
            return qc_error_set(err, QC_E_FORMAT, "%s:%u: second greeting in section '%s'",
                                file, line, p->cur->name);
        p->cur->greeting = obj;
    } else if (strcmp(kind, "execute") == 0) {
        if (qc_fixture_on_command(p, obj, line, err) < 0)
            return -1;
    } else if (strcmp(kind, "event") == 0) {
        if (!json_object_is_type(value, json_type_string))
            return qc_error_set(err, QC_E_FORMAT, "%s:%u: 'event' must be a string", file,
                                line);
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
    json_object *value = NULL;
    int found = 0;

    if (!json_object_is_type(obj, json_type_object))
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: expected a JSON object", file, line);
    for (size_t i = 0; i < QC_N_ELEMENTS(kinds); i++) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(obj, kinds[i], &v))
            continue;
        /* "return" and "error" together are one (bad) reply, reported as such. */
        if (kind && strcmp(kinds[i], "error") == 0 && strcmp(kind, "return") == 0)
            continue;
        found++;
        kind = kinds[i];
        value = v;
    }
    if (found == 0)
        return qc_error_set(err, QC_E_FORMAT,
                            "%s:%u: unrecognised object (expected a command, reply, event, "
                            "greeting, header or section marker)",
                            file, line);
    if (found > 1)
        return qc_error_set(err, QC_E_FORMAT, "%s:%u: object is of more than one kind", file,
                            line);
    if (strcmp(kind, "qcaps-fixture") == 0)
        return qc_fixture_on_header(p, obj, value, line, err);
    if (strcmp(kind, "qcaps-section") == 0)
        return qc_fixture_on_marker(p, value, line, err);
    return qc_fixture_on_message(p, obj, kind, value, line, err);
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
    rc = qc_fixture_parse_all(&p, data ? data : "", len, err);
    free(p.pending_key);
    if (rc < 0)
        return NULL;
    return qc_steal(&fx);
}

static int
qc_read_file(const char *path, char **ret_data, size_t *ret_len, qc_error **err)
{
    qc_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    qc_autofree char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;

    if (fd < 0) {
        if (errno == ENOENT)
            return qc_error_set(err, QC_E_NOTFOUND, "fixture '%s' does not exist", path);
        return qc_error_set_errno(err, errno, "cannot open fixture '%s'", path);
    }
    if (fstat(fd, &st) < 0)
        return qc_error_set_errno(err, errno, "cannot stat fixture '%s'", path);
    if (!S_ISREG(st.st_mode))
        return qc_error_set(err, QC_E_FORMAT, "fixture '%s' is not a regular file", path);
    if ((uint64_t) st.st_size > QC_FIXTURE_MAX_FILE)
        return qc_error_set(err, QC_E_FORMAT, "fixture '%s' is larger than %zu MiB", path,
                            QC_FIXTURE_MAX_FILE >> 20);
    for (;;) {
        ssize_t n;

        if (len == cap) {
            size_t ncap = cap ? cap * 2 : (size_t) st.st_size + 4096;
            char *grown;

            if (cap > QC_FIXTURE_MAX_FILE)
                return qc_error_set(err, QC_E_FORMAT, "fixture '%s' is larger than %zu MiB",
                                    path, QC_FIXTURE_MAX_FILE >> 20);
            grown = realloc(buf, ncap + 1);
            if (!grown)
                return qc_error_set(err, QC_E_NOMEM, "out of memory reading fixture '%s'",
                                    path);
            buf = grown;
            cap = ncap;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return qc_error_set_errno(err, errno, "cannot read fixture '%s'", path);
        if (n == 0)
            break;
        len += (size_t) n;
    }
    if (len > QC_FIXTURE_MAX_FILE)
        return qc_error_set(err, QC_E_FORMAT, "fixture '%s' is larger than %zu MiB", path,
                            QC_FIXTURE_MAX_FILE >> 20);
    buf[len] = '\0';
    *ret_data = qc_steal(&buf);
    *ret_len = len;
    return 0;
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
    if (qc_read_file(path, &data, &len, err) < 0)
        return NULL;
    return qc_fixture_parse(data, len, path, err);
}

/* ---- cursor ------------------------------------------------------------------------ */

qc_fixture_cursor *
qc_fixture_cursor_new(const qc_fixture *fx, const char *section, qc_error **err)
{
    qc_fixture_cursor *c;
    const qc_fixture_section *s = NULL;

    if (!fx) {
        qc_error_set(err, QC_E_INVALID, "no fixture given");
        return NULL;
    }
    if (section)
        s = qc_fixture_find_section(fx, section);
    else if (fx->n_sections > 0)
        s = &fx->sections[0];
    if (!s) {
        qc_error_set(err, QC_E_NOTFOUND, "fixture '%s' has no section '%s'", fx->name,
                     section ? section : "(first)");
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (!c || !(c->next = json_object_new_object())) {
        free(c);
        qc_error_set(err, QC_E_NOMEM, "out of memory creating fixture cursor");
        return NULL;
    }
    c->fx = fx;
    c->section = s;
    return c;
}

json_object *
qc_fixture_cursor_reply(qc_fixture_cursor *c, const char *command, json_object *args,
                        qc_error **err)
{
    qc_autofree char *args_text = NULL;
    qc_autofree char *key = NULL;
    json_object *list = NULL, *pos = NULL;
    size_t n, idx = 0;

    if (!c || !command) {
        qc_error_set(err, QC_E_INVALID, "no fixture cursor or command given");
        return NULL;
    }
    key = qc_fixture_key(command, args, &args_text, err);
    if (!key)
        return NULL;
    if (!json_object_object_get_ex(c->section->replies, key, &list) ||
        (n = json_object_array_length(list)) == 0) {
        qc_error_set(err, QC_E_NOTFOUND,
                     "fixture '%s' has no reply for '%s' with arguments %s in section '%s'",
                     c->fx->name, command, args_text, c->section->name);
        return NULL;
    }
    if (json_object_object_get_ex(c->next, key, &pos))
        idx = (size_t) json_object_get_int64(pos);
    /* Successive identical commands walk the recorded replies; the last one repeats. */
    if (idx + 1 < n) {
        json_object *nextpos = json_object_new_int64((int64_t) idx + 1);
        if (!nextpos || json_object_object_add(c->next, key, nextpos) < 0) {
            json_object_put(nextpos);
            qc_error_set(err, QC_E_NOMEM, "out of memory advancing fixture cursor");
            return NULL;
        }
    }
    return json_object_array_get_idx(list, idx < n ? idx : n - 1);
}

json_object *
qc_fixture_cursor_greeting(qc_fixture_cursor *c)
{
    return c ? c->section->greeting : NULL;
}

void
qc_fixture_cursor_free(qc_fixture_cursor *c)
{
    if (!c)
        return;
    json_object_put(c->next);
    free(c);
}

/* ---- writer ------------------------------------------------------------------------ */

qc_fixture_writer *
qc_fixture_writer_new(void)
{
    return calloc(1, sizeof(qc_fixture_writer));
}

void
qc_fixture_writer_free(qc_fixture_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_sections; i++) {
        free(w->sections[i].name);
        json_object_put(w->sections[i].messages);
    }
    free(w->sections);
    json_object_put(w->header);
    free(w);
}

void
qc_fixture_writer_set_header(qc_fixture_writer *w, json_object *header)
{
    if (!w) {
        json_object_put(header);
        return;
    }
    json_object_put(w->header);
    /* Kept as given; "qcaps-fixture" is put first only when printing, so a header
     * borrowed from a loaded fixture is never modified. */
    w->header = json_object_is_type(header, json_type_object) ? header : NULL;
    if (!w->header)
        json_object_put(header);
}

int
qc_fixture_writer_add(qc_fixture_writer *w, const char *section, json_object *msg,
                      qc_error **err)
{
    qc_fixture_wsection *s = NULL;

    if (!w || !json_object_is_type(msg, json_type_object))
        return qc_error_set(err, QC_E_INVALID, "fixture messages must be JSON objects");
    if (!section)
        section = QC_FIXTURE_DEFAULT_SECTION;
    for (size_t i = 0; i < w->n_sections && !s; i++)
        if (strcmp(w->sections[i].name, section) == 0)
            s = &w->sections[i];
    if (!s) {
        qc_fixture_wsection *grown = realloc(w->sections, (w->n_sections + 1) * sizeof(*grown));

        if (!grown)
            return qc_error_set(err, QC_E_NOMEM, "out of memory recording QMP message");
        w->sections = grown;
        s = &w->sections[w->n_sections];
        s->name = strdup(section);
        s->messages = json_object_new_array();
        if (!s->name || !s->messages) {
            free(s->name);
            json_object_put(s->messages);
            return qc_error_set(err, QC_E_NOMEM, "out of memory recording QMP message");
        }
        w->n_sections++;
    }
    if (json_object_array_add(s->messages, json_object_get(msg)) < 0) {
        json_object_put(msg);
        return qc_error_set(err, QC_E_NOMEM, "out of memory recording QMP message");
    }
    return 0;
}

static json_object *
qc_fixture_writer_header(const qc_fixture_writer *w)
{
    QC_CLEANUP(json_object_putp) json_object *h = json_object_new_object();
    json_object *version = json_object_new_int(QC_FIXTURE_FORMAT_VERSION);

    if (!h || !version || json_object_object_add(h, "qcaps-fixture", version) < 0) {
        json_object_put(version);
        return NULL;
    }
    if (w->header) {
        json_object_object_foreach(w->header, key, val) {
            if (strcmp(key, "qcaps-fixture") == 0)
                continue;
            if (json_object_object_add(h, key, json_object_get(val)) < 0) {
                json_object_put(val);
                return NULL;
            }
        }
    }
    return qc_steal(&h);
}

/* One object, pretty-printed, preceded by a blank line unless it is the first. */
static bool
qc_fixture_print(FILE *f, json_object *obj, bool *first)
{
    const char *text = json_object_to_json_string_ext(obj, QC_JSON_PRINT_FLAGS);
    char *copy;

    if (!text || !(copy = qc_json_text_layout(strdup(text))))
        return false;
    if (!*first)
        fputc('\n', f);
    *first = false;
    fputs(copy, f);
    fputc('\n', f);
    free(copy);
    return true;
}

/* The id of a reply message ({"return"|"error": ..., "id": ...}), else NULL. */
static const char *
qc_fixture_reply_id(json_object *msg)
{
    json_object *id;

    if ((!json_object_object_get_ex(msg, "return", NULL) &&
         !json_object_object_get_ex(msg, "error", NULL)) ||
        !json_object_object_get_ex(msg, "id", &id))
        return NULL;
    return json_object_get_string(id);
}

/* Prints a section's messages in arrival order, except that each reply goes right after
 * the command with its id. The probe pipelines the commands of a phase, so several
 * commands are sent before the first reply arrives; the file layout (and libvirt's) wants
 * every command followed by its reply. Returns false on a write failure or OOM. */
static bool
qc_fixture_print_section(FILE *f, json_object *messages, bool *first)
{
    QC_CLEANUP(json_object_putp) json_object *replies = json_object_new_object();
    QC_CLEANUP(json_object_putp) json_object *commands = json_object_new_object();
    size_t n = json_object_array_length(messages);
    bool ok = replies && commands;

    /* id -> first reply with that id, and the ids that have a command */
    for (size_t j = 0; j < n && ok; j++) {
        json_object *msg = json_object_array_get_idx(messages, j), *id;
        const char *rid = qc_fixture_reply_id(msg);
        if (rid && !json_object_object_get_ex(replies, rid, NULL))
            ok = json_object_object_add(replies, rid, json_object_get(msg)) == 0;
        else if (json_object_object_get_ex(msg, "execute", NULL) &&
                 json_object_object_get_ex(msg, "id", &id))
            ok = json_object_object_add(commands, json_object_get_string(id), NULL) == 0;
    }
    for (size_t j = 0; j < n && ok; j++) {
        json_object *msg = json_object_array_get_idx(messages, j), *id, *reply;
        const char *rid = qc_fixture_reply_id(msg);

        if (rid && json_object_object_get_ex(commands, rid, NULL) &&
            json_object_object_get_ex(replies, rid, &reply) && reply == msg)
            continue; /* printed right after its command */
        ok = qc_fixture_print(f, msg, first);
        if (ok && json_object_object_get_ex(msg, "execute", NULL) &&
            json_object_object_get_ex(msg, "id", &id) &&
            json_object_object_get_ex(replies, json_object_get_string(id), &reply))
            ok = qc_fixture_print(f, reply, first);
    }
    return ok;
}

static int
qc_wsection_cmp(const void *a, const void *b)
{
    const qc_fixture_wsection *const *x = a, *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

char *
qc_fixture_writer_to_string(const qc_fixture_writer *w, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *header = NULL;
    const qc_fixture_wsection **order = NULL;
    char *buf = NULL;
    size_t size = 0;
    bool first = true, failed = false;
    FILE *f;

    if (!w) {
        qc_error_set(err, QC_E_INVALID, "no fixture writer given");
        return NULL;
    }
    header = qc_fixture_writer_header(w);
    f = open_memstream(&buf, &size);
    if (!header || !f) {
        if (f)
            fclose(f);
        free(buf);
        qc_error_set(err, QC_E_NOMEM, "out of memory serialising fixture");
        return NULL;
    }
    failed = !qc_fixture_print(f, header, &first);
    /* Sections by name, not by arrival: concurrent passes greet in either order, and
     * re-recording the same binary must give the same bytes. */
    order = calloc(w->n_sections ? w->n_sections : 1, sizeof(*order));
    failed = failed || !order;
    for (size_t i = 0; order && i < w->n_sections; i++)
        order[i] = &w->sections[i];
    if (order)
        qsort(order, w->n_sections, sizeof(*order), qc_wsection_cmp);
    for (size_t i = 0; i < w->n_sections && !failed; i++) {
        QC_CLEANUP(json_object_putp) json_object *marker = json_object_new_object();
        json_object *name = json_object_new_string(order[i]->name);

        if (!marker || !name || json_object_object_add(marker, "qcaps-section", name) < 0) {
            json_object_put(name);
            failed = true;
            break;
        }
        failed |= !qc_fixture_print(f, marker, &first);
        failed |= !qc_fixture_print_section(f, order[i]->messages, &first);
    }
    free(order);
    failed |= ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        qc_error_set(err, QC_E_NOMEM, "out of memory serialising fixture");
        return NULL;
    }
    return buf;
}

static int
qc_fsync_parent(const char *path, qc_error **err)
{
    qc_autofree char *dir = strdup(path);
    qc_autoclose int fd = -1;
    char *slash;

    if (!dir)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0)
        return qc_error_set_errno(err, errno, "cannot sync directory '%s'", dir);
    return 0;
}

int
qc_fixture_writer_save(const qc_fixture_writer *w, const char *path, qc_error **err)
{
    qc_autofree char *text = NULL;
    qc_autofree char *tmp = NULL;
    int fd;

    if (!path)
        return qc_error_set(err, QC_E_INVALID, "no fixture path given");
    text = qc_fixture_writer_to_string(w, err);
    if (!text)
        return -1;
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
        tmp = NULL;
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return qc_error_set_errno(err, errno, "cannot create a temporary file for '%s'", path);
    if (fchmod(fd, 0644) < 0 || qc_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
        int saved = errno;

        close(fd);
        unlink(tmp);
        return qc_error_set_errno(err, saved, "cannot write '%s'", tmp);
    }
    if (close(fd) < 0) {
        int saved = errno;

        unlink(tmp);
        return qc_error_set_errno(err, saved, "cannot write '%s'", tmp);
    }
    if (rename(tmp, path) < 0) {
        int saved = errno;

        unlink(tmp);
        return qc_error_set_errno(err, saved, "cannot rename '%s' to '%s'", tmp, path);
    }
    return qc_fsync_parent(path, err);
}
