/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-opts.c: parsing the options of `qcaps domcaps` (domcaps.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/domcaps.h"

static int qc_dc_error(char **ret_msg, const char *msg, const char *arg);

static int
qc_dc_error(char **ret_msg, const char *msg, const char *arg)
{
    if (asprintf(ret_msg, "%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "") < 0)
        *ret_msg = NULL;
    return -1;
}

static int
qc_dc_check(const qc_dc_opts *o, char **ret_msg)
{
    if (o->q.emulator && o->q.fixture)
        return qc_dc_error(ret_msg, "give --emulator or --fixture, not both", NULL);
    if (strcmp(o->format, "xml") != 0 && strcmp(o->format, "json") != 0)
        return qc_dc_error(ret_msg, "unknown --format (xml or json):", o->format);
    if (o->q.virttype && strcmp(o->q.virttype, "kvm") != 0 && strcmp(o->q.virttype, "qemu") != 0)
        return qc_dc_error(ret_msg, "unknown --virttype (kvm or qemu):", o->q.virttype);
    if (o->libvirt) {
        qcaps_error *e = NULL;
        if (qcaps_libvirt_check(o->libvirt, &e) < 0) {
            int r = qc_dc_error(ret_msg, qcaps_error_message(e), NULL);
            qcaps_error_free(e);
            return r;
        }
    }
    if (o->q.fixture && o->cache_given)
        return qc_dc_error(ret_msg, "--fixture replays never use the cache", NULL);
    return 0;
}

int
qc_dc_parse(int argc, char **argv, qc_dc_opts *o, char **ret_msg)
{
    static const struct option longopts[] = {
        {"emulator", required_argument, NULL, 'e'}, {"fixture", required_argument, NULL, 'F'},
        {"emulatorbin", required_argument, NULL, 'e'}, /* virsh domcapabilities' name */
        {"arch", required_argument, NULL, 'a'},     {"machine", required_argument, NULL, 'm'},
        {"virttype", required_argument, NULL, 'v'}, {"format", required_argument, NULL, 'f'},
        {"firmware-dir", required_argument, NULL, 'd'},
        {"timeout", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        {"libvirt", required_argument, NULL, 'L'},
        QC_CACHE_LONGOPTS,                          {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->format = "xml";
    *ret_msg = NULL;
    qc_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":e:F:a:m:v:f:d:t:L:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': o->q.emulator = optarg; break;
        case 'F': o->q.fixture = optarg; break;
        case 'a': o->q.arch = optarg; break;
        case 'm': o->q.machine = optarg; break;
        case 'v': o->q.virttype = optarg; break;
        case 'f': o->format = optarg; break;
        case 'L': o->libvirt = optarg; break;
        case 'd': {
            struct stat st;
            if (o->n_fw_dirs == QC_MAX_FW_DIRS)
                return qc_dc_error(ret_msg, "too many --firmware-dir options", NULL);
            if (stat(optarg, &st) < 0 || !S_ISDIR(st.st_mode))
                return qc_dc_error(ret_msg, "--firmware-dir is no directory:", optarg);
            o->fw_dirs[o->n_fw_dirs++] = optarg;
            break;
        }
        case 't':
            if (!qc_cli_parse_seconds(optarg, &o->timeout_ms))
                return qc_dc_error(ret_msg, "invalid --timeout (seconds, > 0):", optarg);
            break;
        case 'h':
            return 1;
        case ':':
            return qc_dc_error(ret_msg, "option needs an argument:", argv[optind - 1]);
        default:
            if (qc_cache_opts_parse(&o->cache, c, optarg)) {
                o->cache_given = true;
                break;
            }
            return qc_dc_error(ret_msg, "unknown option", argv[optind - 1]);
        }
    }
    if (qc_cli_emulator_operand(argc, argv, &o->q.emulator, o->q.fixture, ret_msg) < 0)
        return -1;
    return qc_dc_check(o, ret_msg);
}

qcaps_context *
qc_dc_context(const qc_dc_opts *o, qc_error **err)
{
    qcaps_context *ctx = qc_cli_context_new(&o->cache, err);
    qcaps_error *pe = NULL;

    if (!ctx)
        return NULL;
    qcaps_context_set_timeout(ctx, o->timeout_ms);
    if ((o->libvirt && qcaps_context_set_libvirt(ctx, o->libvirt, &pe) < 0) ||
        (o->n_fw_dirs && qcaps_context_set_firmware_dirs(ctx, o->fw_dirs, &pe) < 0)) {
        qc_error_set(err, (qc_error_code) qcaps_error_get_code(pe), "%s",
                     qcaps_error_message(pe));
        qcaps_error_free(pe);
        qcaps_context_free(ctx);
        return NULL;
    }
    return ctx;
}

int
qc_cli_print_document(const char *text)
{
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    size_t n = strlen(text);

    if (fwrite(text, 1, n, stdout) != n || (n && text[n - 1] != '\n' && fputc('\n', stdout) == EOF) ||
        fflush(stdout) != 0) {
        qc_error_set_errno(&err, errno, "writing the output");
        return qc_cli_fail(err);
    }
    return QC_EXIT_OK;
}
