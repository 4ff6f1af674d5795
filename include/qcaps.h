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
#include <stddef.h>

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
    QCAPS_E_UNSUPPORTED, /* the emulator does not offer the arch, machine or virttype asked
                          * for (the message lists those it does) */
} qcaps_error_code;

/* Probe flags. */
#define QCAPS_PROBE_TCG_ONLY (1u << 0) /* no KVM pass even where KVM is usable */

/* Starts `emulator` (a qemu-system-* path) and probes it. timeout_ms <= 0: default (60 s). */
QCAPS_PUBLIC qcaps_model *qcaps_probe(const char *emulator, unsigned flags, int timeout_ms,
                                      qcaps_error **err);
/* Replays a recorded fixture (qcaps or libvirt .replies layout); starts no process. */
QCAPS_PUBLIC qcaps_model *qcaps_replay(const char *fixture_path, qcaps_error **err);

/* A summary for people (`qcaps probe`): version, target, machines, CPU models, flags...;
 * several lines ending in "\n". Caller frees with free(). */
QCAPS_PUBLIC char *qcaps_model_summary(const qcaps_model *m, qcaps_error **err);
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
    QCAPS_FORMAT_JSON,    /* JSON shaped by the grammar, "format-version" 1 (schema/README.md) */
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
/* 0 when qcaps_context_set_libvirt() would take `version`, else -1 with *err (its message
 * lists the generations), for checking an option before there is a context. */
QCAPS_PUBLIC int qcaps_libvirt_check(const char *version, qcaps_error **err);
/* Whole-probe deadline in ms (<= 0: default 60 s). */
QCAPS_PUBLIC void qcaps_context_set_timeout(qcaps_context *ctx, int timeout_ms);
/* Probe with TCG only, even where KVM is usable (QCAPS_PROBE_TCG_ONLY). Such a model is
 * not the emulator's usual one: the cache is neither read nor written. */
QCAPS_PUBLIC void qcaps_context_set_tcg_only(qcaps_context *ctx, bool tcg_only);
QCAPS_PUBLIC void qcaps_context_set_warning_handler(qcaps_context *ctx, qcaps_warning_fn fn,
                                                    void *opaque);

/* What qcaps_capabilities() describes instead of this host: the host facts of a host facts
 * file (`qcaps capabilities --dump-host-facts` writes one; NULL: the running system), and
 * the guests of every fixture (*.replies) of a directory instead of the binaries in $PATH
 * (NULL: $PATH). With both, nothing of this machine is read. */
QCAPS_PUBLIC int qcaps_context_set_host_facts(qcaps_context *ctx, const char *path,
                                              qcaps_error **err);
QCAPS_PUBLIC int qcaps_context_set_fixture_dir(qcaps_context *ctx, const char *dir,
                                               qcaps_error **err);

/* The model of `emulator`, answered from the cache when valid (see qcaps_cache_mode). */
QCAPS_PUBLIC qcaps_model *qcaps_get_model(qcaps_context *ctx, const char *emulator,
                                          qcaps_error **err);
/* Probes `emulator` live (never through the cache; the context's timeout and TCG-only
 * setting apply) and records everything the probe read from the outside world as a
 * fixture, which qcaps_replay() replays on any machine. With `path`, the fixture is
 * written there, replacing it atomically and only when the probe succeeds; with NULL, its
 * text is returned in *ret_text (caller frees). Returns the probed model. */
QCAPS_PUBLIC qcaps_model *qcaps_record(qcaps_context *ctx, const char *emulator,
                                       const char *path, char **ret_text, qcaps_error **err);

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

/* The same documents answered only from what the cache keeps: never probes, never
 * renders (so a program that calls only these need not load libxml2's chain). 1 with
 * *ret_text (caller frees) when the cache keeps a valid answer to this query, as
 * qcaps_domcaps() / qcaps_capabilities() would return it; 0 when not (a replay, a cache
 * mode other than QCAPS_CACHE_USE, no cache directory, nothing kept or no longer valid:
 * call those, which render and keep it; nothing is reported); -1 with *err (out of
 * memory, no context or query). */
QCAPS_PUBLIC int qcaps_domcaps_kept(qcaps_context *ctx, const qcaps_domcaps_query *q,
                                    qcaps_format format, char **ret_text, qcaps_error **err);
QCAPS_PUBLIC int qcaps_capabilities_kept(qcaps_context *ctx, qcaps_format format,
                                         char **ret_text, qcaps_error **err);

/* ---- errors ------------------------------------------------------------------------------ */

QCAPS_PUBLIC qcaps_error_code qcaps_error_get_code(const qcaps_error *e);
QCAPS_PUBLIC const char *qcaps_error_message(const qcaps_error *e); /* one line */
QCAPS_PUBLIC void qcaps_error_free(qcaps_error *e);

/* ---- signals ----------------------------------------------------------------------------- */

/* Kills every QEMU the library started and has not yet reaped, and removes their
 * private directories and the cache locks it holds: what a program ended by a signal
 * mid-probe would otherwise leave behind. Async-signal-safe: call it from your own
 * SIGINT/SIGTERM/SIGHUP handler before exiting (the library installs none). */
QCAPS_PUBLIC void qcaps_emergency_cleanup(void);

/* ---- the capability cache: warm-up, listing, check and clear (qcaps warm, qcaps cache) */

/* The state of a cache entry against the current binary and host. */
typedef enum qcaps_entry_state {
    QCAPS_ENTRY_FRESH = 0, /* valid: every key equal */
    QCAPS_ENTRY_MISSING,   /* no entry */
    QCAPS_ENTRY_STALE,     /* a key changed (the reason names which) */
    QCAPS_ENTRY_BROKEN,    /* truncated, corrupt, foreign, old format, or not a regular file */
    QCAPS_ENTRY_BLOCKED,   /* broken and cannot be removed (a directory at its name) */
} qcaps_entry_state;

/* "fresh", "missing", "stale", "broken", "blocked"; "?" for an unknown state. */
QCAPS_PUBLIC const char *qcaps_entry_state_name(qcaps_entry_state s);

typedef struct qcaps_warm qcaps_warm;

/* What a warm-up reports, emulator by emulator. */
typedef enum qcaps_warm_event_kind {
    QCAPS_WARM_STARTED = 0, /* its probe starts now */
    QCAPS_WARM_FRESH,       /* its entry is valid (or another process made it so meanwhile) */
    QCAPS_WARM_PROBED,      /* probed and stored */
    QCAPS_WARM_FAILED,      /* it could not be probed or stored; the others go on */
    QCAPS_WARM_CHECKED,     /* QCAPS_WARM_CHECK: the state of its entry (nothing probed) */
} qcaps_warm_event_kind;

/* One event (borrowed strings, valid for the call; NULL when absent). */
typedef struct qcaps_warm_event {
    qcaps_warm_event_kind kind;
    size_t index;             /* the emulator's place in the list (qcaps_warm_emulator()) */
    const char *emulator;
    double seconds;           /* FRESH, PROBED, FAILED: time spent on this emulator */
    const char *reason;       /* PROBED: why (the entry is missing, the key that changed);
                               * CHECKED: why the entry is not valid */
    const char *qemu_version; /* PROBED: the QEMU version probed, "MAJOR.MINOR.MICRO" */
    const char *message;      /* FAILED: why, one line (never NULL) */
    qcaps_entry_state state;  /* CHECKED */
} qcaps_warm_event;

typedef void (*qcaps_warm_event_fn)(const qcaps_warm_event *ev, void *opaque);
typedef void (*qcaps_warm_tick_fn)(void *opaque);

/* Warm-up flags. */
#define QCAPS_WARM_CHECK (1u << 0) /* only report each entry's state: probe and create nothing */

/* A warm-up of the context's cache (its directory, timeout and warning handler; cache mode
 * REFRESH probes every emulator, even those with a valid entry; BYPASS, TCG-only, and
 * REFRESH with QCAPS_WARM_CHECK are QCAPS_E_INVALID) for the `n` emulators of `emulators`,
 * each made absolute (its directory resolved, its name kept; one that cannot be, a bare
 * name not in $PATH, is kept as given and its probe says what is wrong with it), or, with
 * n == 0, for every qemu-system-* on $PATH and in /usr/bin, /usr/local/bin and
 * /usr/libexec. A path given or found twice is warmed once, under its first place; a
 * symlinked binary keeps its own entry. Opens the cache directory (creating it unless
 * QCAPS_WARM_CHECK) and fails when it cannot be used. Caller frees with qcaps_warm_free(). */
QCAPS_PUBLIC qcaps_warm *qcaps_warm_new(qcaps_context *ctx, const char *const *emulators,
                                        size_t n, unsigned flags, qcaps_error **err);
/* The emulators, in list order (borrowed, valid until qcaps_warm_free()); maybe none. */
QCAPS_PUBLIC size_t qcaps_warm_count(const qcaps_warm *w);
QCAPS_PUBLIC const char *qcaps_warm_emulator(const qcaps_warm *w, size_t i);
/* The cache directory warmed (borrowed). */
QCAPS_PUBLIC const char *qcaps_warm_cache_dir(const qcaps_warm *w);
/* Probes at once; 0 (the default): the number of online CPUs. */
QCAPS_PUBLIC void qcaps_warm_set_jobs(qcaps_warm *w, unsigned jobs);
/* `event` for every event, and `tick` every tick_ms (<= 0: never) while the warm-up runs,
 * for a live display; both called from qcaps_warm_run(), with `opaque`. */
QCAPS_PUBLIC void qcaps_warm_set_progress(qcaps_warm *w, qcaps_warm_event_fn event,
                                          qcaps_warm_tick_fn tick, int tick_ms, void *opaque);

typedef struct qcaps_warm_summary {
    size_t probed;   /* entries probed and stored */
    size_t fresh;    /* entries found valid */
    size_t failed;   /* emulators that failed */
    size_t invalid;  /* QCAPS_WARM_CHECK: entries missing or not valid */
    double seconds;  /* wall time */
    unsigned jobs;   /* probes at once */
} qcaps_warm_summary;

/* Runs the warm-up: probes every emulator whose entry is missing or stale, `jobs` at a time
 * on one event loop, and stores the results; each emulator is reported through the event
 * callback (STARTED, then FRESH, PROBED or FAILED), and one that fails does not stop the
 * others. With QCAPS_WARM_CHECK, reports each entry's state (CHECKED) in list order
 * instead. Returns 0 and *ret_summary, or -1 when the warm-up itself cannot run (out of
 * memory, no event loop). Run it once. */
QCAPS_PUBLIC int qcaps_warm_run(qcaps_warm *w, qcaps_warm_summary *ret_summary,
                                qcaps_error **err);
QCAPS_PUBLIC void qcaps_warm_free(qcaps_warm *w);

typedef struct qcaps_cache qcaps_cache;
typedef struct qcaps_cache_entries qcaps_cache_entries;

/* Opens the context's cache directory to list, check or clear it, never creating it;
 * broken entries met are reported through the context's warning handler. A directory that
 * does not exist is no error: the cache has no entries and qcaps_cache_exists() is false.
 * Fails when the directory cannot be used (a symlink, someone else's, world-writable). */
QCAPS_PUBLIC qcaps_cache *qcaps_cache_open(qcaps_context *ctx, qcaps_error **err);
QCAPS_PUBLIC bool qcaps_cache_exists(const qcaps_cache *c);
/* The directory (borrowed). */
QCAPS_PUBLIC const char *qcaps_cache_dir(const qcaps_cache *c);
/* The read-only system cache that queries of a context naming no cache directory fall back
 * on ($QCAPS_SYSTEM_CACHE_DIR, else /var/cache/qcaps, which root's warm-up fills) when it
 * applies (not root, $QCAPS_CACHE_DIR unset, another directory than c's) and exists; else
 * NULL. Borrowed, valid until qcaps_cache_free(c); its warnings are not reported. */
QCAPS_PUBLIC const qcaps_cache *qcaps_cache_system(const qcaps_cache *c);

/* A cache entry (borrowed strings, valid until qcaps_cache_entries_free()). */
typedef struct qcaps_cache_entry {
    const char *file;         /* its file name in the cache directory */
    const char *emulator;     /* NULL when the entry is unreadable */
    const char *qemu_version; /* "7.2.22"; NULL when unreadable */
    const char *target;       /* QEMU target; NULL when unreadable */
    long long probed_at;      /* Unix time of its probe, 0 if unknown */
    int probe_ms;             /* how long the probe took */
    qcaps_entry_state state;  /* against the current binary and host */
    const char *reason;       /* why it is not valid; NULL when FRESH */
} qcaps_cache_entry;

/* Every entry of the cache, sorted by emulator path (unreadable ones last), each verified
 * against the current binary and host (keys and checksums). */
QCAPS_PUBLIC qcaps_cache_entries *qcaps_cache_list(const qcaps_cache *c, qcaps_error **err);
QCAPS_PUBLIC size_t qcaps_cache_entries_count(const qcaps_cache_entries *l);
QCAPS_PUBLIC const qcaps_cache_entry *qcaps_cache_entries_get(const qcaps_cache_entries *l,
                                                              size_t i);
QCAPS_PUBLIC void qcaps_cache_entries_free(qcaps_cache_entries *l);
/* Removes every entry with its lock file and kept answers, each under its lock, waiting up
 * to timeout_ms (0: not at all) for one in use (then QCAPS_E_TIMEOUT); other files are
 * left alone. Returns the number of entries removed, or -1. */
QCAPS_PUBLIC int qcaps_cache_clear(qcaps_cache *c, int timeout_ms, qcaps_error **err);
QCAPS_PUBLIC void qcaps_cache_free(qcaps_cache *c);

/* ---- hosts: a host's facts and the models of its emulators (qcaps export) ------------- */
typedef struct qcaps_host qcaps_host;

/* Where a host's parts come from; NULL members: this host, now. */
typedef struct qcaps_host_query {
    const char *host_facts;  /* a host facts file (qcaps capabilities --dump-host-facts) */
    const char *fixture_dir; /* the models of every recorded fixture (*.replies) in this
                              * directory instead of this host's emulators */
} qcaps_host_query;

/* A host: its facts (read live, or from q->host_facts) and one model per emulator: every
 * qemu-system-* in $PATH and every other emulator with a cache entry whose binary still
 * exists, each answered from the cache or probed (or the fixtures of q->fixture_dir). An
 * emulator that cannot be probed is skipped with a warning through the context. */
QCAPS_PUBLIC qcaps_host *qcaps_host_read(qcaps_context *ctx, const qcaps_host_query *q,
                                         qcaps_error **err);
/* Reads an export document (qcaps_host_to_export()); `name` names it in errors. */
QCAPS_PUBLIC qcaps_host *qcaps_host_parse(const char *text, size_t len, const char *name,
                                          qcaps_error **err);
/* The export document: one JSON file holding the host facts and every model (format in
 * doc/qcaps.1, EXPORT FORMAT). Caller frees with free(). */
QCAPS_PUBLIC char *qcaps_host_to_export(const qcaps_host *h, qcaps_error **err);
/* The host facts as a host facts file. Caller frees with free(). */
QCAPS_PUBLIC char *qcaps_host_facts(const qcaps_host *h, qcaps_error **err);
/* This host's facts, read now, as a host facts file (reads no emulator). Caller frees. */
QCAPS_PUBLIC char *qcaps_host_facts_now(qcaps_error **err);
/* The models, sorted by emulator path (borrowed, valid until qcaps_host_free()). */
QCAPS_PUBLIC size_t qcaps_host_model_count(const qcaps_host *h);
QCAPS_PUBLIC const qcaps_model *qcaps_host_model(const qcaps_host *h, size_t i);
QCAPS_PUBLIC void qcaps_host_free(qcaps_host *h);

/* ---- diff: what changed between two capability sources (qcaps diff) ------------------- */
typedef struct qcaps_source qcaps_source;
typedef struct qcaps_changes qcaps_changes;
typedef struct qcaps_change qcaps_change;

/* What a source is, decided by its content (not its name). */
typedef enum qcaps_source_kind {
    QCAPS_SOURCE_EMULATOR = 1, /* an executable: its model from the cache, or probed */
    QCAPS_SOURCE_FIXTURE,      /* a recorded conversation (qcaps or libvirt .replies): replayed */
    QCAPS_SOURCE_MODEL,        /* a saved model (qcaps probe --format json) */
    QCAPS_SOURCE_EXPORT,       /* a host export (qcaps export) */
    QCAPS_SOURCE_HOST,         /* QCAPS_SOURCE_LIVE_HOST: this host now, as an export of it */
} qcaps_source_kind;

/* The name that opens this host as a source (a file of that name: "./@host"). */
#define QCAPS_SOURCE_LIVE_HOST "@host"

/* Opens `path` as a source. A bare name (no '/') that is no file of the current directory
 * is an emulator in $PATH, QCAPS_E_NOTFOUND where $PATH has none. A path that is none of
 * the kinds is QCAPS_E_FORMAT with "PATH: not an emulator, fixture, model or export:
 * <why>"; a missing or unreadable file is QCAPS_E_SYSTEM; a failed probe or replay keeps
 * its own code. */
QCAPS_PUBLIC qcaps_source *qcaps_source_open(qcaps_context *ctx, const char *path,
                                             qcaps_error **err);
QCAPS_PUBLIC qcaps_source_kind qcaps_source_get_kind(const qcaps_source *s);
/* "emulator", "fixture", "model", "export", "host"; NULL for an unknown kind. */
QCAPS_PUBLIC const char *qcaps_source_kind_name(qcaps_source_kind k);
QCAPS_PUBLIC const char *qcaps_source_path(const qcaps_source *s);
/* The model of a single-emulator source; NULL for EXPORT and HOST. */
QCAPS_PUBLIC const qcaps_model *qcaps_source_model(const qcaps_source *s);
/* The host of an EXPORT or HOST source; NULL otherwise. */
QCAPS_PUBLIC const qcaps_host *qcaps_source_host(const qcaps_source *s);
QCAPS_PUBLIC void qcaps_source_free(qcaps_source *s);

typedef enum qcaps_change_kind {
    QCAPS_CHANGE_ADDED = 0, /* only the new side has it */
    QCAPS_CHANGE_REMOVED,   /* only the old side has it */
    QCAPS_CHANGE_CHANGED,   /* both have it; an attribute differs (old -> new) */
    QCAPS_CHANGE_COMMON,    /* not a difference: what a guest may use on both (group "both") */
} qcaps_change_kind;

/* The lists a change carries. */
typedef enum qcaps_change_list {
    QCAPS_CHANGE_LIST_ADDED = 0, /* CHANGED list-valued attribute: members gained */
    QCAPS_CHANGE_LIST_REMOVED,   /* members lost */
    QCAPS_CHANGE_LIST_ITEMS,     /* COMMON: the members both sides have */
} qcaps_change_list;

#define QCAPS_DIFF_HOST (1u << 0) /* compare the host facts too (always for two hosts) */

/* What to compare. document NONE compares the models; DOMCAPS / CAPABILITIES the documents
 * each side renders (for the context's libvirt generation), as facts. */
typedef enum qcaps_diff_document {
    QCAPS_DIFF_DOC_NONE = 0,
    QCAPS_DIFF_DOC_DOMCAPS,
    QCAPS_DIFF_DOC_CAPABILITIES,
} qcaps_diff_document;

typedef struct qcaps_diff_query {
    unsigned flags;           /* QCAPS_DIFF_HOST */
    qcaps_diff_document document;
    const char *arch;         /* DOMCAPS: as qcaps_domcaps_query; NULL: defaults */
    const char *machine;
    const char *virttype;
} qcaps_diff_query;

/* The differences old -> new of two models (flags: QCAPS_DIFF_HOST). */
QCAPS_PUBLIC qcaps_changes *qcaps_diff(const qcaps_model *old_model,
                                       const qcaps_model *new_model, unsigned flags,
                                       qcaps_error **err);
/* The differences of two XML documents, as facts (group "document"). */
QCAPS_PUBLIC qcaps_changes *qcaps_diff_documents(const char *old_xml, const char *new_xml,
                                                 qcaps_error **err);
/* The differences of two sources of any kinds (q may be NULL). Two hosts are compared
 * emulator by emulator (by path), with their host facts, and the group "both" says per
 * emulator what a guest may use on both. A host against a single model compares the
 * host's model of the same emulator path, else of the same target. */
QCAPS_PUBLIC qcaps_changes *qcaps_diff_sources(qcaps_context *ctx, const qcaps_source *old_src,
                                               const qcaps_source *new_src,
                                               const qcaps_diff_query *q, qcaps_error **err);

/* The changes, in printing order (borrowed, valid until qcaps_changes_free()). */
QCAPS_PUBLIC size_t qcaps_changes_count(const qcaps_changes *d);
/* The changes that are differences (all but COMMON): 0 means the sides are the same. */
QCAPS_PUBLIC size_t qcaps_changes_differences(const qcaps_changes *d);
QCAPS_PUBLIC const qcaps_change *qcaps_changes_get(const qcaps_changes *d, size_t i);
/* The diff as JSON (schema/diff.schema.json; doc/qcaps.1, DIFF FORMAT). With
 * QCAPS_CHANGES_JSON_STAT every group's "changes" list is left empty. Caller frees. */
#define QCAPS_CHANGES_JSON_STAT (1u << 0)
QCAPS_PUBLIC char *qcaps_changes_to_json(const qcaps_changes *d, unsigned flags,
                                         qcaps_error **err);
QCAPS_PUBLIC void qcaps_changes_free(qcaps_changes *d);

/* A change's parts (borrowed strings; NULL when absent). The group is one of "version",
 * "host", "machines", "cpu-models", "host-cpu", "qom-types", "properties", "commands",
 * "events", "command-line", "flags", "migration", "tpm", "gic", "sev", "sgx", "hyperv",
 * "firmware", "document", "emulators", "both", in that printing order. The emulator is set
 * when two hosts are compared. The scope is an accelerator ("kvm", "tcg"; NULL: every
 * accelerator both sides probed) where qcaps_change_scope_is_accel(), else the owner of
 * the name (a property's type, a parameter's option). qcaps_change_get_kind(NULL) is
 * QCAPS_CHANGE_COMMON. */
QCAPS_PUBLIC const char *qcaps_change_group(const qcaps_change *c);
QCAPS_PUBLIC qcaps_change_kind qcaps_change_get_kind(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_emulator(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_scope(const qcaps_change *c);
QCAPS_PUBLIC bool qcaps_change_scope_is_accel(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_name(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_attribute(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_old(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_new(const qcaps_change *c);
QCAPS_PUBLIC const char *qcaps_change_detail(const qcaps_change *c);
QCAPS_PUBLIC size_t qcaps_change_list_count(const qcaps_change *c, qcaps_change_list l);
QCAPS_PUBLIC const char *qcaps_change_list_get(const qcaps_change *c, qcaps_change_list l,
                                               size_t i);

#ifdef __cplusplus
}
#endif

#endif
