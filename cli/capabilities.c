/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.c: the `qcaps capabilities` verb: libvirt's host capabilities document. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

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

/* Prints text (which it frees): 0, or the exit code of a write error (reported). */
static int
qc_cli_caps_print(char *text)
{
    int r = fputs(text, stdout) < 0 || fflush(stdout) != 0;

    free(text);
    if (r)
        return qc_cli_failf(NULL, "writing the output: %s", strerror(errno));
    return QC_EXIT_OK;
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
        QC_VERB_LONGOPTS_END,
    };
    const char *format = "xml", *host_facts = NULL, *fixture_dir = NULL, *libvirt = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_cache_opts co = {0};
    bool dump = false, format_given = false;
    qcaps_error *pe = NULL;
    qcaps_context *ctx;
    char *text = NULL;
    int c, r;

    qc_cli_getopt_begin();
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
        default:
            if ((r = qc_cli_opt_other("capabilities", qc_usage_capabilities, c, argv, NULL,
                                      &co)) >= 0)
                return r;
            break;
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
    if (dump) {
        if (!(text = qcaps_host_facts_now(&pe)))
            return qc_cli_fail_api(pe);
        return qc_cli_caps_print(text);
    }
    if (!(ctx = qc_cli_context_new(&co, &e)))
        return e && e->code == QC_E_INVALID ? qc_cli_usage("capabilities", "%s", e->message)
                                            : qc_cli_fail(e);
    if ((libvirt && qcaps_context_set_libvirt(ctx, libvirt, &pe) < 0) ||
        (host_facts && qcaps_context_set_host_facts(ctx, host_facts, &pe) < 0) ||
        (fixture_dir && qcaps_context_set_fixture_dir(ctx, fixture_dir, &pe) < 0)) {
        c = qcaps_error_get_code(pe) == QCAPS_E_INVALID
                ? qc_cli_usage("capabilities", "%s", qcaps_error_message(pe))
                : qc_cli_fail_api(qc_steal(&pe));
        qcaps_error_free(pe);
        qcaps_context_free(ctx);
        return c;
    }
    text = qcaps_capabilities(ctx, strcmp(format, "json") == 0 ? QCAPS_FORMAT_JSON
                                                                 : QCAPS_FORMAT_XML, &pe);
    qcaps_context_free(ctx);
    if (!text)
        return qc_cli_fail_api(pe);
    return qc_cli_caps_print(text);
}
