/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture.h: recorded QMP conversations (read for replay, written when recording).
 *
 * File layout (see fixtures/README.md): a sequence of pretty-printed JSON objects separated
 * by blank lines. qcaps' own files start with a header object {"qcaps-fixture": 1, ...}
 * (host facts, emulator, firmware, ...) and split the conversation into sections, one per
 * probe pass, each opened by {"qcaps-section": "<name>"}; a section holds the greeting
 * {"QMP": ...}, then each command object {"execute": ..., "id": ...} followed by its reply
 * ({"return"|"error": ..., "id": ...}), with events {"event": ...} where they arrived.
 * The layout of libvirt's .replies files in tests/qemucapabilitiesdata (no header, no section
 * markers, no greeting, command/reply pairs) is accepted too: it reads as one section
 * "default".
 *
 * Contract: parsing never trusts the file: any malformation (bad JSON, a reply without a
 * command, a command without a reply, a non-object, wrong member types) is QC_E_FORMAT
 * naming the file and the object's line. Objects are owned by the fixture; borrowed
 * pointers stay valid until qc_fixture_free(). Writing is atomic (temp file + rename).
 */
#ifndef QC_QMP_FIXTURE_H
#define QC_QMP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "common/error.h"

typedef struct qc_fixture qc_fixture;
typedef struct qc_fixture_writer qc_fixture_writer;

#define QC_FIXTURE_FORMAT_VERSION 1

qc_fixture *qc_fixture_load(const char *path, qc_error **err);
qc_fixture *qc_fixture_parse(const char *data, size_t len, const char *name, qc_error **err);
void qc_fixture_free(qc_fixture *fx);

const char *qc_fixture_name(const qc_fixture *fx);     /* the path or name given */
json_object *qc_fixture_header(const qc_fixture *fx); /* borrowed; NULL for libvirt layout */
bool qc_fixture_is_libvirt_layout(const qc_fixture *fx);
size_t qc_fixture_section_count(const qc_fixture *fx);
const char *qc_fixture_section_name(const qc_fixture *fx, size_t i);
bool qc_fixture_has_section(const qc_fixture *fx, const char *name);
/* Every message of section i in file order (greeting, commands, replies, events), as a
 * borrowed JSON array; NULL if i is out of range. Section markers and the header are not
 * included. Feeding these to qc_fixture_writer_add() reproduces the file. */
json_object *qc_fixture_section_messages(const qc_fixture *fx, size_t i);

/* Looks up the reply for (command, args) in `section` (NULL = first). `*cursor_state` is
 * opaque per-replay state created on first use and freed with qc_fixture_cursor_free():
 * it makes repeated identical commands get successive recorded replies.
 * Returns the whole reply object (borrowed) or NULL with QC_E_NOTFOUND. */
typedef struct qc_fixture_cursor qc_fixture_cursor;
qc_fixture_cursor *qc_fixture_cursor_new(const qc_fixture *fx, const char *section,
                                         qc_error **err);
json_object *qc_fixture_cursor_reply(qc_fixture_cursor *c, const char *command,
                                     json_object *args, qc_error **err);
/* The section's whole greeting message {"QMP": ...} (borrowed); NULL if none recorded. */
json_object *qc_fixture_cursor_greeting(qc_fixture_cursor *c);
void qc_fixture_cursor_free(qc_fixture_cursor *c);

/* Canonical text of a JSON value: objects with keys sorted (strcmp), no whitespace, "/" not
 * escaped, scalars as json-c prints them; NULL prints "null". Caller frees. */
char *qc_json_canonical(json_object *v, qc_error **err);

/* Writer: collects messages per section (in arrival order within a section, each reply
 * right after its command; sections sorted by name) and saves them in qcaps' layout. */
qc_fixture_writer *qc_fixture_writer_new(void);
/* Takes ownership of header (a JSON object). It is printed with "qcaps-fixture":
 * QC_FIXTURE_FORMAT_VERSION as its first member (replacing any given value); the object
 * itself is not modified, so a header borrowed from a loaded fixture may be passed. */
void qc_fixture_writer_set_header(qc_fixture_writer *w, json_object *header);
/* Appends a message (takes a new reference of msg; the caller keeps its own). */
int qc_fixture_writer_add(qc_fixture_writer *w, const char *section, json_object *msg,
                          qc_error **err);
/* Serialises to a malloc'd string (caller frees). Deterministic for equal input. */
char *qc_fixture_writer_to_string(const qc_fixture_writer *w, qc_error **err);
/* Atomically writes the file with qc_file_write_atomic() (temp file "<path>.XXXXXX.new"
 * beside it, fsync, rename, directory fsync). */
int qc_fixture_writer_save(const qc_fixture_writer *w, const char *path, qc_error **err);
void qc_fixture_writer_free(qc_fixture_writer *w);

QC_DEFINE_CLEANUP(qc_fixture *, qc_fixture_free);
QC_DEFINE_CLEANUP(qc_fixture_writer *, qc_fixture_writer_free);

#endif
