/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.c: the `qcaps domcaps` verb: libvirt's domainCapabilities document. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/internal.h"

#define QC_MAX_FW_DIRS 16

static const char qc_usage_domcaps[] =
    "Usage: qcaps domcaps [--emulator PATH | --fixture FILE] [--arch ARCH] [--machine M]\n"
    "                     [--virttype kvm|qemu] [--format xml|json] [--firmware-dir DIR]...\n"
    "\n"
    "Print libvirt's domainCapabilities document for one emulator, architecture, machine\n"
    "type and virtualization type, as 'virsh domcapabilities' would. Missing values take\n"
    "libvirt's defaults: the emulator qemu-system-<ARCH> (host arch) in $PATH, its own\n"
    "arch, libvirt 9.0's preferred machine (else QEMU's default), kvm when usable else\n"
    "qemu. Machine aliases (pc, q35, virt, pseries, s390-ccw-virtio) are accepted.\n"
    "\n"
    "  -e, --emulator PATH     the qemu-system-* binary to describe\n"
    "  -F, --fixture FILE      replay a recorded fixture instead (reads nothing else of\n"
    "                          this host unless --firmware-dir is given)\n"
    "  -a, --arch ARCH         libvirt arch (i686, armv7l, ...; the QEMU target name for\n"
    "                          arches libvirt lacks)\n"
    "  -m, --machine M         machine type name or alias\n"
    "  -v, --virttype TYPE     kvm or qemu\n"
    "  -f, --format FORMAT     xml (default) or json (schema/README.md)\n"
    "  -d, --firmware-dir DIR  read firmware descriptors from DIR instead of the default\n"
    "                          search path; repeat it, lowest priority first\n"
    "  -t, --timeout SECS      give up on the probe after SECS seconds (default 60)\n"
    QC_CACHE_OPTS_HELP
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure, including an arch, machine or\n"
    "virttype the probed emulator does not support (the message lists the valid ones).\n";

typedef struct qc_dc_opts {
    qcaps_domcaps_query q;
    const char *format;
    const char *fw_dirs[QC_MAX_FW_DIRS + 1];
    size_t n_fw_dirs;
    int timeout_ms;
    qc_cache_opts cache;
    bool cache_given;
} qc_dc_opts;

static int
qc_dc_usage(const char *msg, const char *arg)
{
    return qc_cli_usage("domcaps", "%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "",
                        arg ? "'" : "");
}



/* Returns 0 to go on, 1 after --help, -1 after a usage error was printed. */
static int
qc_dc_parse(int argc, char **argv, qc_dc_opts *o)
{
    static const struct option longopts[] = {
        {"emulator", required_argument, NULL, 'e'}, {"fixture", required_argument, NULL, 'F'},
        {"arch", required_argument, NULL, 'a'},     {"machine", required_argument, NULL, 'm'},
        {"virttype", required_argument, NULL, 'v'}, {"format", required_argument, NULL, 'f'},
        {"firmware-dir", required_argument, NULL, 'd'},
        {"timeout", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        QC_CACHE_LONGOPTS,                          {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":e:F:a:m:v:f:d:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': o->q.emulator = optarg; break;
        case 'F': o->q.fixture = optarg; break;
        case 'a': o->q.arch = optarg; break;
        case 'm': o->q.machine = optarg; break;
        case 'v': o->q.virttype = optarg; break;
        case 'f': o->format = optarg; break;
        case 'd':
            if (o->n_fw_dirs == QC_MAX_FW_DIRS)
                return qc_dc_usage("too many --firmware-dir options", NULL), -1;
            o->fw_dirs[o->n_fw_dirs++] = optarg;
            break;
        case 't':
            if (!qc_cli_parse_seconds(optarg, &o->timeout_ms))
                return qc_dc_usage("invalid --timeout (seconds, > 0):", optarg), -1;
            break;
        case 'h':
            fputs(qc_usage_domcaps, stdout);
            return 1;
        case ':':
            return qc_dc_usage("option needs an argument:", argv[optind - 1]), -1;
        default:
            if (qc_cache_opts_parse(&o->cache, c, optarg)) {
                o->cache_given = true;
                break;
            }
            return qc_dc_usage("unknown option", argv[optind - 1]), -1;
        }
    }
    if (optind < argc)
        return qc_dc_usage("unexpected argument", argv[optind]), -1;
    return 0;
}

static int
qc_dc_check(const qc_dc_opts *o)
{
    if (o->q.emulator && o->q.fixture)
        return qc_dc_usage("give --emulator or --fixture, not both", NULL);
    if (strcmp(o->format, "xml") != 0 && strcmp(o->format, "json") != 0)
        return qc_dc_usage("unknown --format (xml or json):", o->format);
    if (o->q.virttype && strcmp(o->q.virttype, "kvm") != 0 && strcmp(o->q.virttype, "qemu") != 0)
        return qc_dc_usage("unknown --virttype (kvm or qemu):", o->q.virttype);
    if (o->q.fixture && o->cache_given)
        return qc_dc_usage("--fixture replays never use the cache", NULL);
    return 0;
}

int
qc_cmd_domcaps(int argc, char **argv)
{
    qc_dc_opts o;
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qcaps_context *ctx = NULL;
    qcaps_error *pe = NULL;
    char *text;
    int r;

    memset(&o, 0, sizeof(o));
    o.format = "xml";
    if ((r = qc_dc_parse(argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_USAGE : QC_EXIT_OK;
    if ((r = qc_dc_check(&o)) != 0)
        return r;
    if (!(ctx = qc_cli_context_new(&o.cache, &err)))
        return err->code == QC_E_INVALID ? qc_dc_usage(err->message, NULL) : qc_cli_fail(err);
    qcaps_context_set_timeout(ctx, o.timeout_ms);
    if (o.n_fw_dirs && qcaps_context_set_firmware_dirs(ctx, o.fw_dirs, &pe) < 0) {
        qcaps_context_free(ctx);
        fprintf(stderr, "qcaps: %s\n", qcaps_error_message(pe));
        qcaps_error_free(pe);
        return QC_EXIT_FAILURE;
    }
    text = qcaps_domcaps(ctx, &o.q, strcmp(o.format, "json") == 0 ? QCAPS_FORMAT_JSON
                                                                    : QCAPS_FORMAT_XML, &pe);
    qcaps_context_free(ctx);
    if (!text) {
        fprintf(stderr, "qcaps: %s\n", pe ? qcaps_error_message(pe) : "unknown error");
        qcaps_error_free(pe);
        return QC_EXIT_FAILURE;
    }
    r = fputs(text, stdout) < 0 || (text[0] && text[strlen(text) - 1] != '\n' &&
                                    fputc('\n', stdout) == EOF) || fflush(stdout) != 0;
    free(text);
    if (r) {
        qc_error_set_errno(&err, errno, "writing the output");
        return qc_cli_fail(err);
    }
    return QC_EXIT_OK;
}
