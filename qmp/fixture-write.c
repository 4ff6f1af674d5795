/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture-write.c: the fixture writer: collects recorded messages per section and saves
 * them, in qcaps' layout, atomically. */
#include "common/jsontext.h"
#include "qmp/fixture-internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"

#define QC_JSON_PRINT_FLAGS                                                                    \
    (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef struct qc_fixture_wsection {
    char *name;
    json_object *messages;
} qc_fixture_wsection;

struct qc_fixture_writer {
    json_object *header;
    qc_fixture_wsection *sections;
    size_t n_sections;
};

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

int
qc_fixture_writer_save(const qc_fixture_writer *w, const char *path, qc_error **err)
{
    qc_autofree char *text = NULL;
    struct iovec iov;

    if (!path)
        return qc_error_set(err, QC_E_INVALID, "no fixture path given");
    text = qc_fixture_writer_to_string(w, err);
    if (!text)
        return -1;
    iov.iov_base = text;
    iov.iov_len = strlen(text);
    /* a recording is made once and kept: durable, directory entry included */
    return qc_file_write_atomic(AT_FDCWD, path, &iov, 1, 0644, QC_SYNC_DIR, err);
}
