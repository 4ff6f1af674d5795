/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.c: the `qcaps capabilities` verb: libvirt's host capabilities document. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/internal.h"
#include "schema/capabilities.h"
#include "schema/hostfacts.h"


static const char qc_usage_capabilities[] =
    "Usage: qcaps capabilities [--format xml|json] [--host-facts FILE] [--fixture-dir DIR]\n"
    "                          [--libvirt VERSION]\n"
    "       qcaps capabilities --dump-host-facts\n"
    "\n"
    "Print libvirt's host capabilities document: the host (uuid, CPU, NUMA cells, caches,\n"
    "security models) and one <guest> per qemu-system-* binary found in $PATH, chosen as\n"
    "libvirt chooses them, followed by the QEMU targets libvirt has no arch for.\n"
    "\n"
    "  -f, --format FORMAT    xml (libvirt's document, default) or json (schema/README.md)\n"
    "  -H, --host-facts FILE  read the host facts from FILE instead of the running system\n"
    "  -d, --fixture-dir DIR  guests from every recorded fixture (*.replies) in DIR instead\n"
    "                         of the binaries in $PATH; with --host-facts nothing of this\n"
    "                         machine is read, and the output equals the live document of\n"
    "                         the machine that recorded them\n"
    "  -L, --libvirt VERSION  write what this libvirt writes: 12.8 (default), 11.3 or 9.0\n"
    "                         (also 12, 11, 9 or latest)\n"
    "      --dump-host-facts  print this host's facts as a host facts file and exit\n"
    QC_CACHE_OPTS_HELP
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure.\n";

enum { QC_OPT_DUMP = 0x100 };

/* Models by emulator path: replayed fixtures up front, probed binaries on demand. */
typedef struct qc_cli_caps_models {
    qcaps_context *ctx;
    qc_strlist paths;
    qc_model **v;
    size_t n;
    bool offline;            /* only the preloaded fixtures answer */
} qc_cli_caps_models;

static void
qc_cli_caps_models_clear(qc_cli_caps_models *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        qc_model_free(ms->v[i]);
    free(ms->v);
    qc_strlist_clear(&ms->paths);
}

static int
qc_cli_caps_models_add(qc_cli_caps_models *ms, const char *path, qc_model *m, qc_error **err)
{
    qc_model **nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv));

    if (!nv) {
        qc_model_free(m);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    ms->v = nv;
    if (qc_strlist_add(&ms->paths, path, err) < 0) {
        qc_model_free(m);
        return -1;
    }
    ms->v[ms->n++] = m;
    return 0;
}

static const qc_model *
qc_cli_caps_model(const char *path, void *opaque, qc_error **err)
{
    qc_cli_caps_models *ms = opaque;
    ssize_t k = qc_strlist_index(&ms->paths, path);
    qc_model *m;

    if (k >= 0)
        return ms->v[k];
    if (ms->offline) {
        qc_error_set(err, QC_E_NOTFOUND, "no fixture for %s", path);
        return NULL;
    }
    if (!(m = qc_context_model(ms->ctx, path, NULL, err)) ||
        qc_cli_caps_models_add(ms, path, m, err) < 0)
        return NULL;
    return m;
}

/* Replays every *.replies of dir (in name order); a fixture that fails is a warning. The
 * emulator paths the fixtures recorded become the candidate binaries. */
static int
qc_cli_caps_load_fixtures(qc_cli_caps_models *ms, const char *dir, qc_strlist *emus,
                          qc_error **err)
{
    qc_strlist files = {0};
    int rc = -1;

    if (qc_lib_fixture_dir(dir, &files, err) < 0)
        goto out;
    for (size_t i = 0; i < files.n; i++) {
        QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
        qc_model *m = qc_context_model(ms->ctx, NULL, files.v[i], &e);

        if (!m || !m->emulator) {
            qc_model_free(m);
            qc_context_warn(ms->ctx, "%s skipped: %s", files.v[i],
                            e && e->message ? e->message : "no emulator recorded");
            continue;
        }
        if (qc_strlist_contains(&ms->paths, m->emulator)) {
            qc_context_warn(ms->ctx, "%s skipped: another fixture already records %s",
                            files.v[i], m->emulator);
            qc_model_free(m);
            continue;
        }
        if (qc_strlist_add(emus, m->emulator, err) < 0) {
            qc_model_free(m);
            goto out;
        }
        if (qc_cli_caps_models_add(ms, m->emulator, m, err) < 0)
            goto out;
    }
    rc = 0;
out:
    qc_strlist_clear(&files);
    return rc;
}

static void
qc_cli_caps_warn(const char *message, void *opaque)
{
    qc_context_warn(opaque, "%s", message);
}

/* --host-facts and/or --fixture-dir: the document from the given sources. */
static char *
qc_cli_caps_sources(qcaps_context *ctx, const char *host_facts, const char *fixture_dir,
                    bool json, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_cli_caps_models ms = {.ctx = ctx, .offline = fixture_dir != NULL};
    qc_strlist emus = {0};
    qc_caps_req req = {0};
    char *out = NULL;

    hf = host_facts ? qc_hostfacts_load(host_facts, err) : qc_hostfacts_read(NULL, err);
    if (!hf)
        goto out;
    if (fixture_dir ? qc_cli_caps_load_fixtures(&ms, fixture_dir, &emus, err)
                    : qc_caps_find_emulators(NULL, &emus, err))
        goto out;
    req.gen = qc_context_libvirt(ctx);
    req.host = hf;
    req.emulators = &emus;
    req.model = qc_cli_caps_model;
    req.model_opaque = &ms;
    req.warn = qc_cli_caps_warn;
    req.warn_opaque = ctx;
    req.json = json;
    out = qc_capabilities_format(&req, err);
out:
    qc_cli_caps_models_clear(&ms);
    qc_strlist_clear(&emus);
    return out;
}

static int
qc_cli_caps_print(char *text, qc_error **err)
{
    int rc = 0;

    if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
        rc = qc_error_set_errno(err, errno, "writing the output");
    free(text);
    return rc;
}

static int
qc_cli_caps_fail(qc_error *e)
{
    int r = qc_cli_fail(e);

    qc_error_free(e);
    return r;
}


int
qc_cmd_capabilities(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"host-facts", required_argument, NULL, 'H'},
        {"fixture-dir", required_argument, NULL, 'd'},
        {"dump-host-facts", no_argument, NULL, QC_OPT_DUMP},
        {"libvirt", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        QC_CACHE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *format = "xml", *host_facts = NULL, *fixture_dir = NULL, *libvirt = NULL;
    qc_cache_opts co = {0};
    bool dump = false, json, format_given = false;
    qc_error *e = NULL;
    qcaps_context *ctx;
    char *text = NULL;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:H:d:L:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            format_given = true;
            break;
        case 'H':
            host_facts = optarg;
            break;
        case 'd':
            fixture_dir = optarg;
            break;
        case 'L':
            libvirt = optarg;
            break;
        case QC_OPT_DUMP:
            dump = true;
            break;
        case 'h':
            fputs(qc_usage_capabilities, stdout);
            return QC_EXIT_OK;
        case ':':
            return qc_cli_usage("capabilities", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (qc_cache_opts_parse(&co, c, optarg))
                break;
            return qc_cli_usage("capabilities", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return qc_cli_usage("capabilities", "unexpected argument '%s'", argv[optind]);
    if (strcmp(format, "xml") != 0 && strcmp(format, "json") != 0)
        return qc_cli_usage("capabilities", "unknown --format '%s' (xml or json)", format);
    if (dump && (host_facts || fixture_dir || libvirt))
        return qc_cli_usage("capabilities", "%s", "--dump-host-facts reads this host: it takes no "
                                 "--host-facts, --fixture-dir or --libvirt");
    if (dump && format_given)
        return qc_cli_usage("capabilities", "%s", "--dump-host-facts and --format exclude each "
                                                  "other: a host facts file is JSON");
    if (dump && (co.dir || co.no_cache || co.refresh))
        return qc_cli_usage("capabilities", "%s", "--dump-host-facts and the cache options "
                                                  "exclude each other: it reads no cache");
    json = !strcmp(format, "json");

    if (dump) {
        qc_hostfacts *hf = qc_hostfacts_read(NULL, &e);

        text = hf ? qc_hostfacts_to_json(hf, &e) : NULL;
        qc_hostfacts_free(hf);
        if (!text || qc_cli_caps_print(text, &e) < 0)
            return qc_cli_caps_fail(e);
        return QC_EXIT_OK;
    }
    if (!(ctx = qc_cli_context_new(&co, &e))) {
        if (e && e->code == QC_E_INVALID) {
            c = qc_cli_usage("capabilities", "%s", e->message);
            qc_error_free(e);
            return c;
        }
        return qc_cli_caps_fail(e);
    }
    if (libvirt) {
        qcaps_error *pe = NULL;

        if (qcaps_context_set_libvirt(ctx, libvirt, &pe) < 0) {
            c = qc_cli_usage("capabilities", "%s", qcaps_error_message(pe));
            qcaps_error_free(pe);
            qcaps_context_free(ctx);
            return c;
        }
    }
    if (host_facts || fixture_dir) {
        text = qc_cli_caps_sources(ctx, host_facts, fixture_dir, json, &e);
    } else {
        qcaps_error *pe = NULL;

        if (!(text = qcaps_capabilities(ctx, json ? QCAPS_FORMAT_JSON : QCAPS_FORMAT_XML,
                                        &pe))) {
            qc_error_set(&e, pe ? (qc_error_code) qcaps_error_get_code(pe) : QC_E_INVALID,
                         "%s", pe ? qcaps_error_message(pe) : "capabilities failed");
            qcaps_error_free(pe);
        }
    }
    qcaps_context_free(ctx);
    if (!text || qc_cli_caps_print(text, &e) < 0)
        return qc_cli_caps_fail(e);
    return QC_EXIT_OK;
}
