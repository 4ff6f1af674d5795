/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qcaps.h: the public C API of libqcaps: ask a QEMU binary what it can do.
 *
 * Contract: opaque types; every object returned is owned by the caller and released with
 * its _free function (all NULL-safe). A fallible call takes `qcaps_error **err` last, returns
 * NULL on failure and then sets *err (when err is not NULL). The library never prints,
 * never exits, installs no signal handlers and leaves no process, socket or temporary
 * directory behind when a call returns. Calls are independent: they may run in several
 * threads at once on different objects.
 */
#ifndef QCAPS_H
#define QCAPS_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QCAPS_PUBLIC __attribute__((visibility("default")))

typedef struct qcaps_error qcaps_error;
typedef struct qcaps_model qcaps_model;

/* Error codes (qcaps_error_code). */
typedef enum qcaps_error_code {
    QCAPS_E_INVALID = 1, /* bad argument */
    QCAPS_E_NOMEM,
    QCAPS_E_SYSTEM,      /* a system call failed */
    QCAPS_E_SPAWN,       /* the emulator could not be started or died */
    QCAPS_E_TIMEOUT,
    QCAPS_E_PROTOCOL,    /* the emulator broke the QMP protocol */
    QCAPS_E_QMP,         /* the emulator answered with an unexpected QMP error */
    QCAPS_E_XML,
    QCAPS_E_NOTFOUND,    /* e.g. a fixture lacks a reply the probe needs */
    QCAPS_E_FORMAT,      /* a fixture or cache file is malformed */
} qcaps_error_code;

/* Probe flags. */
#define QCAPS_PROBE_TCG_ONLY (1u << 0) /* no KVM pass even where KVM is usable */

/* Starts `emulator` (a qemu-system-* path) and probes it. timeout_ms <= 0: default (60 s). */
QCAPS_PUBLIC qcaps_model *qcaps_probe(const char *emulator, unsigned flags, int timeout_ms,
                                      qcaps_error **err);
/* Replays a recorded fixture (qcaps or libvirt .replies layout); starts no process. */
QCAPS_PUBLIC qcaps_model *qcaps_replay(const char *fixture_path, qcaps_error **err);

/* The model's stable JSON serialisation (see model/README.md). Caller frees with free(). */
QCAPS_PUBLIC char *qcaps_model_to_json(const qcaps_model *m, qcaps_error **err);
/* Borrowed strings, valid until qcaps_model_free(). */
QCAPS_PUBLIC const char *qcaps_model_emulator(const qcaps_model *m);
QCAPS_PUBLIC const char *qcaps_model_target(const qcaps_model *m); /* QEMU target name */
/* libvirt's arch for the target (the latest generation's table), NULL when it has none */
QCAPS_PUBLIC const char *qcaps_model_arch(const qcaps_model *m);
/* QEMU version as major * 1000000 + minor * 1000 + micro. */
QCAPS_PUBLIC unsigned long qcaps_model_version(const qcaps_model *m);
QCAPS_PUBLIC bool qcaps_model_has_flag(const qcaps_model *m, const char *flag);
/* Default machine of the accelerator ("kvm" or "tcg"), NULL if that pass did not run. */
QCAPS_PUBLIC const char *qcaps_model_default_machine(const qcaps_model *m, const char *accel);
QCAPS_PUBLIC void qcaps_model_free(qcaps_model *m);

/* ---- contexts: settings shared by the queries below ------------------------------- */
typedef struct qcaps_context qcaps_context;

/* How a query uses the on-disk capability cache. */
typedef enum qcaps_cache_mode {
    QCAPS_CACHE_USE = 0, /* answer from a valid entry; probe and store on a miss */
    QCAPS_CACHE_BYPASS,  /* neither read nor write the cache (--no-cache) */
    QCAPS_CACHE_REFRESH, /* probe again and overwrite the entry (--refresh) */
} qcaps_cache_mode;

typedef enum qcaps_format {
    QCAPS_FORMAT_XML = 0, /* libvirt's XML */
    QCAPS_FORMAT_JSON,    /* the same tree as JSON (schema/README.md) */
} qcaps_format;

/* A diagnostic that is not an error (e.g. a corrupt cache entry was discarded). */
typedef void (*qcaps_warning_fn)(const char *message, void *opaque);

QCAPS_PUBLIC qcaps_context *qcaps_context_new(qcaps_error **err);
QCAPS_PUBLIC void qcaps_context_free(qcaps_context *ctx);
/* NULL restores the default: $QCAPS_CACHE_DIR, else /var/cache/qcaps as root, else
 * $XDG_CACHE_HOME/qcaps (~/.cache/qcaps). */
QCAPS_PUBLIC int qcaps_context_set_cache_dir(qcaps_context *ctx, const char *dir,
                                             qcaps_error **err);
QCAPS_PUBLIC void qcaps_context_set_cache_mode(qcaps_context *ctx, qcaps_cache_mode mode);
/* Firmware descriptor directories, highest priority last as in QEMU's firmware.json
 * (NULL = /usr/share/qemu/firmware, /etc/qemu/firmware, $XDG_CONFIG_HOME/qemu/firmware). */
QCAPS_PUBLIC int qcaps_context_set_firmware_dirs(qcaps_context *ctx, const char *const *dirs,
                                                 qcaps_error **err);
/* The libvirt generation whose documents qcaps_domcaps() and qcaps_capabilities() write:
 * "12.8" (the default, also "latest" or NULL), "11.3" or "9.0" (also "12", "11", "9"),
 * for management software pinned to one. Anything else is QCAPS_E_INVALID. */
QCAPS_PUBLIC int qcaps_context_set_libvirt(qcaps_context *ctx, const char *version,
                                           qcaps_error **err);
/* Whole-probe deadline in ms (<= 0: default 60 s). */
QCAPS_PUBLIC void qcaps_context_set_timeout(qcaps_context *ctx, int timeout_ms);
QCAPS_PUBLIC void qcaps_context_set_warning_handler(qcaps_context *ctx, qcaps_warning_fn fn,
                                                    void *opaque);

/* The model of `emulator`, answered from the cache when valid (see qcaps_cache_mode). */
QCAPS_PUBLIC qcaps_model *qcaps_get_model(qcaps_context *ctx, const char *emulator,
                                          qcaps_error **err);

/* ---- libvirt documents ---------------------------------------------------------------- */

/* What to describe; NULL members take libvirt's defaults (the emulator's own arch, its
 * default machine, kvm when usable else qemu). `fixture` replays instead of probing. */
typedef struct qcaps_domcaps_query {
    const char *emulator;
    const char *fixture;
    const char *arch;
    const char *machine;  /* a name or an alias ("q35", "pc", "virt") */
    const char *virttype; /* "kvm" or "qemu" */
} qcaps_domcaps_query;

/* libvirt's domainCapabilities document. Caller frees with free(). */
QCAPS_PUBLIC char *qcaps_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q,
                                 qcaps_format format, qcaps_error **err);
/* libvirt's host capabilities document, one <guest> per emulator found. */
QCAPS_PUBLIC char *qcaps_capabilities(qcaps_context *ctx, qcaps_format format,
                                      qcaps_error **err);

/* ---- errors ------------------------------------------------------------------------------ */

QCAPS_PUBLIC qcaps_error_code qcaps_error_get_code(const qcaps_error *e);
QCAPS_PUBLIC const char *qcaps_error_message(const qcaps_error *e); /* one line */
QCAPS_PUBLIC void qcaps_error_free(qcaps_error *e);

#ifdef __cplusplus
}
#endif

#endif
