/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-fixture.c: fuzzes the fixture reader (qc_fixture_parse) and what replay does with it.
 *
 * Any input must either be rejected with an error or give a fixture whose sections can be
 * walked, whose commands are found again through a cursor, and whose messages, fed back to
 * a writer, serialise into text that parses again (the contract of fixture.h) when its
 * ids pair commands and replies as a recording does.
 */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "qmp/fixture.h"
#include "fuzz.h"

/* Looks up every command of section i through a cursor, as replay does. */
static void
qc_fuzz_cursor(const qc_fixture *fx, size_t i, json_object *msgs)
{
    qc_error *err = NULL;
    qc_fixture_cursor *c = qc_fixture_cursor_new(fx, qc_fixture_section_name(fx, i), &err);

    if (!c) {
        qc_error_free(err);
        return;
    }
    (void) qc_fixture_cursor_greeting(c);
    for (size_t j = 0; j < json_object_array_length(msgs); j++) {
        json_object *m = json_object_array_get_idx(msgs, j), *name = NULL, *args = NULL;
        char *canon;

        if (!json_object_object_get_ex(m, "execute", &name) &&
            !json_object_object_get_ex(m, "exec-oob", &name))
            continue;
        json_object_object_get_ex(m, "arguments", &args);
        if (!json_object_is_type(name, json_type_string))
            continue;
        (void) qc_fixture_cursor_reply(c, json_object_get_string(name), args, &err);
        qc_error_free(err);
        err = NULL;
        canon = qc_json_canonical(args, &err);
        free(canon);
        qc_error_free(err);
        err = NULL;
    }
    /* An unknown command is a miss, never a crash. */
    (void) qc_fixture_cursor_reply(c, "qcaps-fuzz-unknown", NULL, &err);
    qc_error_free(err);
    qc_fixture_cursor_free(c);
}

/* True when every reply carries the id of the command before it and no command id repeats
 * in a section, as in a recording. The reader pairs by position and the writer by id, so
 * only such fixtures are promised to survive a rewrite (hand-edited ones may not). */
static bool
qc_fuzz_ids_consistent(const qc_fixture *fx)
{
    for (size_t i = 0; i < qc_fixture_section_count(fx); i++) {
        json_object *msgs = qc_fixture_section_messages(fx, i);
        json_object *seen = json_object_new_object();
        const char *last = NULL;
        bool ok = seen != NULL;

        for (size_t j = 0; ok && j < json_object_array_length(msgs); j++) {
            json_object *m = json_object_array_get_idx(msgs, j), *id = NULL;
            bool has_id = json_object_object_get_ex(m, "id", &id) &&
                          json_object_is_type(id, json_type_string);
            const char *s = has_id ? json_object_get_string(id) : NULL;

            if (json_object_object_get_ex(m, "execute", NULL)) {
                ok = s && !json_object_object_get_ex(seen, s, NULL) &&
                     json_object_object_add(seen, s, NULL) == 0;
                last = s;
            } else if (json_object_object_get_ex(m, "return", NULL) ||
                       json_object_object_get_ex(m, "error", NULL)) {
                ok = s && last && strcmp(s, last) == 0;
            } else {
                ok = !has_id; /* a greeting or event with an id looks like a reply */
            }
        }
        json_object_put(seen);
        if (!ok)
            return false;
    }
    return true;
}

/* Writes the fixture back through the writer and parses the result again. */
static void
qc_fuzz_rewrite(const qc_fixture *fx)
{
    qc_fixture_writer *w = qc_fixture_writer_new();
    json_object *hdr = qc_fixture_header(fx);
    qc_error *err = NULL;
    qc_fixture *again;
    char *text;

    QC_FUZZ_CHECK(w != NULL);
    if (hdr)
        qc_fixture_writer_set_header(w, json_object_get(hdr));
    for (size_t i = 0; i < qc_fixture_section_count(fx); i++) {
        json_object *msgs = qc_fixture_section_messages(fx, i);
        for (size_t j = 0; j < json_object_array_length(msgs); j++) {
            int rc = qc_fixture_writer_add(w, qc_fixture_section_name(fx, i),
                                           json_object_array_get_idx(msgs, j), &err);
            QC_FUZZ_CHECK(rc == 0 || (err && err->code == QC_E_NOMEM));
            qc_error_free(err);
            err = NULL;
        }
    }
    text = qc_fixture_writer_to_string(w, &err);
    QC_FUZZ_CHECK(text != NULL || (err && err->code == QC_E_NOMEM));
    if (text && qc_fuzz_ids_consistent(fx)) {
        again = qc_fixture_parse(text, strlen(text), "rewritten", &err);
        if (!again)
            fprintf(stderr, "rewritten fixture does not parse: %s\n",
                    err && err->message ? err->message : "?");
        QC_FUZZ_CHECK(again != NULL || (err && err->code == QC_E_NOMEM));
        /* The writer has no empty sections: every other one must come back. */
        for (size_t i = 0; again && i < qc_fixture_section_count(fx); i++)
            if (json_object_array_length(qc_fixture_section_messages(fx, i)) > 0)
                QC_FUZZ_CHECK(qc_fixture_has_section(again, qc_fixture_section_name(fx, i)));
        qc_fixture_free(again);
    }
    qc_error_free(err);
    free(text);
    qc_fixture_writer_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    qc_error *err = NULL;
    qc_fixture *fx = qc_fixture_parse((const char *) data, size, "fuzz", &err);

    if (!fx) {
        QC_FUZZ_CHECK(err != NULL && err->message != NULL);
        qc_error_free(err);
        return 0;
    }
    (void) qc_fixture_name(fx);
    (void) qc_fixture_is_libvirt_layout(fx);
    QC_FUZZ_CHECK(qc_fixture_section_messages(fx, qc_fixture_section_count(fx)) == NULL);
    for (size_t i = 0; i < qc_fixture_section_count(fx); i++) {
        json_object *msgs = qc_fixture_section_messages(fx, i);
        QC_FUZZ_CHECK(msgs != NULL);
        QC_FUZZ_CHECK(qc_fixture_has_section(fx, qc_fixture_section_name(fx, i)));
        qc_fuzz_cursor(fx, i, msgs);
    }
    qc_fuzz_rewrite(fx);
    qc_fixture_free(fx);
    return 0;
}
