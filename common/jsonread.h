/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonread.h: typed, path-naming reads of json-c objects, for every reader of a JSON file.
 *
 * Contract: a qc_jr carries the member path of the value being read, so that a type error
 * names exactly what is wrong: "accelerators.kvm.machines[3].cpu-max: expected integer".
 * Every message is "<what><path>: <cause>" with code r->code (QC_E_FORMAT, a malformed
 * file, unless the caller sets another after qc_jr_init(), as QC_E_PROTOCOL for a QMP
 * reply; QC_E_NOMEM when a copy fails), where `what` is the reader's prefix ("host facts: ",
 * or "") and the path is "(top)" at the top. The causes are fixed: "missing member",
 * "expected <type>[ or null]" (types: null, boolean, number, integer, object, array,
 * string), "integer out of range" (qc_jr_int), "<n> out of range" (qc_jr_int_range), or
 * the caller's (qc_jr_fail).
 * A getter takes an object and a member name; it pushes the name while it reads and pops
 * it before it returns (also on failure: the path then still names the parent, and the
 * message the member). Callers descend with qc_jr_key()/qc_jr_idx() and go back with
 * qc_jr_pop(). Values are json-c's weak references (never put them); strings are copied.
 * Errors follow common/error.h: 0 or -1 with *r->err set; r->err may be NULL (a reader
 * that only needs to know whether a document is well formed: the path is still built, no
 * message is). The path is built without printf, since a cached model is read this way
 * on every cache hit; a path longer than 511 bytes is cut short in messages. Links
 * json-c and common/ only. It also defines the cleanup json_object_putp (QC_CLEANUP), so a
 * file that includes it does not define its own.
 */
#ifndef QC_COMMON_JSONREAD_H
#define QC_COMMON_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/error.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

typedef struct qc_jr {
    char path[512];
    size_t len;
    const char *what; /* message prefix, never NULL */
    qc_error **err;
    qc_error_code code; /* of every message but out of memory; qc_jr_init(): QC_E_FORMAT */
    void *opaque;       /* the caller's: read by its element callbacks */
} qc_jr;

/* An empty path, code QC_E_FORMAT; `what` NULL is "". */
void qc_jr_init(qc_jr *r, const char *what, void *opaque, qc_error **err);

/* Appends ".key" ("key" at the top) or "[i]" to the path; each returns the mark that
 * qc_jr_pop() goes back to. */
size_t qc_jr_key(qc_jr *r, const char *key);
size_t qc_jr_idx(qc_jr *r, size_t i);
void qc_jr_pop(qc_jr *r, size_t mark);

/* Sets "<what><path>: <fmt ...>" (r->code). Returns -1. */
int qc_jr_fail(qc_jr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* v (the value at the current path) has type t, or is null (v NULL) when nullable. */
int qc_jr_check(qc_jr *r, json_object *v, json_type t, bool nullable);
/* Member `key` of object o, of type t; null (then *ret = NULL) only when nullable. A
 * missing member is an error: test for an optional one with json_object_object_get_ex(o,
 * key, NULL) first. *ret is written only on success. */
int qc_jr_get(qc_jr *r, json_object *o, const char *key, json_type t, bool nullable,
              json_object **ret);
/* Element i of array a, of type t (null is never accepted). */
int qc_jr_elem(qc_jr *r, json_object *a, size_t i, json_type t, json_object **ret);

/* Typed members; *ret is written only on success. */
int qc_jr_int64(qc_jr *r, json_object *o, const char *key, int64_t *ret);
int qc_jr_int(qc_jr *r, json_object *o, const char *key, int *ret);
/* An integer in [lo, hi]; when nullable, null reads as null_value. */
int qc_jr_int_range(qc_jr *r, json_object *o, const char *key, bool nullable, int64_t lo,
                    int64_t hi, int64_t null_value, int64_t *ret);
int qc_jr_bool(qc_jr *r, json_object *o, const char *key, bool *ret);
/* A copy of a string member (caller frees); when nullable, null leaves *ret alone. */
int qc_jr_str(qc_jr *r, json_object *o, const char *key, bool nullable, char **ret);

/* Reads array member `key` (null: none, when nullable; *ret_present says which, if
 * asked) of objects into a new zeroed vector *vec of elements of `size` bytes: fn reads
 * each, with the path at "key[i]". *n counts the elements handed to fn, also on failure,
 * so that the caller's cleanup frees a half-built vector. */
typedef int (*qc_jr_elem_fn)(qc_jr *r, json_object *e, void *elem);
int qc_jr_array(qc_jr *r, json_object *o, const char *key, bool nullable, size_t size, void **vec,
                size_t *n, qc_jr_elem_fn fn, bool *ret_present);
/* The same for a, the value at the current path (a QMP reply that is an array): an array
 * of objects, each read by fn with the path at "<path>[i]". */
int qc_jr_vec(qc_jr *r, json_object *a, size_t size, void **vec, size_t *n, qc_jr_elem_fn fn);
/* Reads object member `key` (null: nothing is read, when nullable) with fn, the path at
 * "key" while it runs; fn gets the object and arg. */
int qc_jr_object(qc_jr *r, json_object *o, const char *key, bool nullable, qc_jr_elem_fn fn,
                 void *arg);
/* Reads object member `key`, a map, into a new zeroed vector *vec of elements of `size`
 * bytes, one a member of the map in its order: fn reads each, given its name and value
 * (any type: fn checks it), with the path at "key.name". *n counts as for qc_jr_array(). */
typedef int (*qc_jr_entry_fn)(qc_jr *r, const char *name, json_object *v, void *elem);
int qc_jr_map(qc_jr *r, json_object *o, const char *key, size_t size, void **vec, size_t *n,
              qc_jr_entry_fn fn);

#endif
