/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-source.c: qcaps_source: one side of qcaps_diff_sources(), loaded from a path. A
 * source's kind is decided by its content: a JSON object with "qcaps-fixture" (a qcaps
 * fixture's header) or "execute" (libvirt's .replies layout) is a fixture, with
 * "qcaps-export" an export, with "format-version" and "accelerators" a saved model;
 * anything else that is an executable regular file is an emulator; "@host" is this host.
 * A bare name that is no file of the current directory is an emulator in $PATH, as the
 * other verbs' emulator paths are (common/path.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/fileio.h"
#include "common/path.h"
#include "lib/diff-internal.h"
#include "model/model-json.h"

#define QC_SOURCE_MAX_BYTES (512u << 20)

/* ---- errors across the public boundary ------------------------------------------------- */

/* The internal error of a public one (consumed). */
int
qc_unwrap(qc_error **err, qcaps_error *pe)
{
    qc_error *e = pe ? pe->e : NULL;

    free(pe);
    if (!e)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return qc_error_propagate(err, e);
}

/* ---- sources --------------------------------------------------------------------------- */

QCAPS_PUBLIC const char *
qcaps_source_kind_name(qcaps_source_kind k)
{
    switch (k) {
    case QCAPS_SOURCE_EMULATOR:
        return "emulator";
    case QCAPS_SOURCE_FIXTURE:
        return "fixture";
    case QCAPS_SOURCE_MODEL:
        return "model";
    case QCAPS_SOURCE_EXPORT:
        return "export";
    case QCAPS_SOURCE_HOST:
        return "host";
    }
    return NULL;
}

QCAPS_PUBLIC void
qcaps_source_free(qcaps_source *s)
{
    if (!s)
        return;
    free(s->path);
    qcaps_model_free(s->model);
    qcaps_host_free(s->host);
    free(s);
}

QC_DEFINE_CLEANUP(qcaps_source *, qcaps_source_free);

QC_PUBLIC_GETTER(qcaps_source_kind, qcaps_source_get_kind, qcaps_source, s,
                 s->kind, (qcaps_source_kind) 0)

QC_PUBLIC_GETTER(const char *, qcaps_source_path, qcaps_source, s, s->path, NULL)
QC_PUBLIC_GETTER(const qcaps_model *, qcaps_source_model, qcaps_source, s, s->model, NULL)
QC_PUBLIC_GETTER(const qcaps_host *, qcaps_source_host, qcaps_source, s, s->host, NULL)

static int
qc_not_a_source(qc_error **err, const char *path, const char *why)
{
    return qc_error_set(err, QC_E_FORMAT, "%s: not an emulator, fixture, model or export: %s", path,
                        why);
}

/* What the first JSON value of a text is: a fixture, model or export, or why not. */
static qcaps_source_kind
qc_source_sniff(const char *text, size_t len, const char *path, qc_error **err)
{
    json_tokener *tok = json_tokener_new();
    json_object *o;
    qcaps_source_kind k = 0;

    if (!tok) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    o = json_tokener_parse_ex(tok, text, (int) len);
    if (!o || !json_object_is_type(o, json_type_object)) {
        char why[160];

        snprintf(why, sizeof(why), "%s",
                 o ? "JSON, but not an object"
                 : json_tokener_get_error(tok) == json_tokener_continue
                     ? "JSON cut short"
                     : json_tokener_error_desc(json_tokener_get_error(tok)));
        qc_not_a_source(err, path, why);
    } else if (json_object_object_get_ex(o, "qcaps-fixture", NULL) ||
               json_object_object_get_ex(o, "execute", NULL)) {
        k = QCAPS_SOURCE_FIXTURE;
    } else if (json_object_object_get_ex(o, "qcaps-export", NULL)) {
        k = QCAPS_SOURCE_EXPORT;
    } else if (json_object_object_get_ex(o, "format-version", NULL) &&
               json_object_object_get_ex(o, "accelerators", NULL)) {
        k = QCAPS_SOURCE_MODEL;
    } else {
        qc_not_a_source(err, path,
                        "a JSON object with none of the members qcaps-fixture, "
                        "execute, qcaps-export, format-version and accelerators");
    }
    json_object_put(o);
    json_tokener_free(tok);
    return k;
}

/* Fills s from the file at s->path (not "@host"). */
static int
qc_source_load_file(qcaps_context *ctx, qcaps_source *s, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *rerr = NULL;
    qc_autofree char *text = NULL;
    qc_autoclose int fd = -1;
    const char *p = s->path, *t;
    qcaps_error *pe = NULL;
    struct stat st;
    size_t len = 0;
    qc_model *m;

    if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return qc_error_set_errno(err, errno, "%s", p);
    if (fstat(fd, &st) < 0)
        return qc_error_set_errno(err, errno, "%s", p);
    if (S_ISDIR(st.st_mode))
        return qc_not_a_source(err, p, "a directory");
    if (!S_ISREG(st.st_mode))
        return qc_not_a_source(err, p, "not a regular file");
    if (qc_fd_read(fd, p, 0, QC_SOURCE_MAX_BYTES, 0, &text, &len, &rerr) < 0)
        return rerr->code == QC_E_FORMAT ? qc_not_a_source(err, p, "larger than 512 MiB")
                                         : qc_error_propagate(err, qc_steal(&rerr));
    for (t = text; *t == ' ' || *t == '\n' || *t == '\t' || *t == '\r'; t++)
        ;
    if (*t != '{' && *t != '[') {
        if (access(p, X_OK) != 0)
            return qc_not_a_source(err, p,
                                   len ? "neither JSON nor an executable" : "an empty file");
        s->kind = QCAPS_SOURCE_EMULATOR;
        m = qc_context_model(ctx, p, NULL, err);
    } else if (!(s->kind = qc_source_sniff(text, len, p, err))) {
        return -1;
    } else if (s->kind == QCAPS_SOURCE_FIXTURE) {
        m = qc_context_model(ctx, NULL, p, err);
    } else if (s->kind == QCAPS_SOURCE_EXPORT) {
        if (!(s->host = qcaps_host_parse(text, len, p, &pe)))
            return qc_unwrap(err, pe);
        return 0;
    } else {
        if ((m = qc_model_from_string(text, len, err)) && m->view != QC_MODEL_VIEW_FULL) {
            qc_model_free(m);
            return qc_error_set(err, QC_E_FORMAT,
                                "%s: a guests view of a model (a cache "
                                "entry's), which lacks what a diff compares",
                                p);
        }
        if (!m)
            qc_error_prefix(err, "%s: model", p);
    }
    if (!m || !(s->model = qcaps_model_wrap(m, &pe)))
        return m ? qc_unwrap(err, pe) : -1;
    return 0;
}

static qcaps_source *
qc_source_open(qcaps_context *ctx, const char *path, qc_error **err)
{
    QC_CLEANUP(qcaps_source_freep) qcaps_source *s = calloc(1, sizeof(*s));
    qcaps_error *pe = NULL;

    if (!s || !(s->path = strdup(path))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (strcmp(path, QCAPS_SOURCE_LIVE_HOST) == 0) {
        s->kind = QCAPS_SOURCE_HOST;
        if (!(s->host = qcaps_host_read(ctx, NULL, &pe))) {
            qc_unwrap(err, pe);
            qc_error_prefix(err, "%s", path);
            return NULL;
        }
        return qc_steal(&s);
    }
    if (!strchr(path, '/') && access(path, F_OK) != 0 && errno == ENOENT) {
        QC_CLEANUP(qc_error_freep) qc_error *perr = NULL;
        char *found = qc_path_absolute(path, &perr);

        if (!found) {
            if (perr && perr->code == QC_E_NOMEM)
                qc_error_propagate(err, qc_steal(&perr));
            else
                qc_error_set(err, QC_E_NOTFOUND,
                             "%s: no such file, nor an emulator of that name in $PATH", path);
            return NULL;
        }
        free(s->path);
        s->path = found;
    }
    if (qc_source_load_file(ctx, s, err) < 0)
        return NULL;
    return qc_steal(&s);
}

QCAPS_PUBLIC qcaps_source *
qcaps_source_open(qcaps_context *ctx, const char *path, qcaps_error **err)
{
    qc_error *e = NULL;
    qcaps_source *s;

    if (!ctx || !path || !*path)
        return qc_lib_invalid(err, "qcaps_source_open", ctx ? "no path" : "no context");
    if (!(s = qc_source_open(ctx, path, &e)))
        qcaps_error_wrap(err, e);
    return s;
}
