/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.c: the `qcaps probe` verb: an emulator's capability model, as a summary or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char qc_usage_probe[] =
    "Usage: qcaps probe (PATH | --emulator PATH | --fixture FILE) [--format text|json]\n"
    "                   [--timeout SECONDS] [--tcg-only]\n"
    "                   [--cache-dir DIR] [--no-cache | --refresh]\n"
    "\n"
    "Start QEMU with -machine none under a private QMP monitor (a KVM pass and a TCG\n"
    "pass where KVM applies, run concurrently), query it, and print the capability\n"
    "model. A valid entry of the capability cache answers instead of QEMU (see 'qcaps\n"
    "warm'); a miss probes and stores the entry. With --fixture, replay a recorded\n"
    "conversation instead: no QEMU is started, the cache is not used, and the output is\n"
    "identical to that of the live probe that recorded it.\n"
    "\n"
    "  -e, --emulator PATH   the qemu-system-* binary to probe (a PATH operand says the\n"
    "                        same; a bare name is looked up in $PATH)\n"
    "  -F, --fixture FILE    replay FILE (qcaps or libvirt .replies layout) instead\n"
    "  -f, --format FORMAT   text (a summary, default) or json (the full model)\n"
    "  -t, --timeout SECS    give up on the whole probe after SECS seconds (default 60)\n"
    "      --tcg-only        probe only with TCG, even where KVM is usable (no cache)\n"
    QC_CACHE_OPTS_HELP
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure.\n";

int
qc_cmd_probe(int argc, char **argv)
{
    qc_probe_cli_opts o = {.format = "text"};
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qcaps_error *pe = NULL;
    qcaps_context *ctx = NULL;
    qcaps_model *m;
    char *text;
    int r;

    if ((r = qc_probe_opts_parse("probe", qc_usage_probe, argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_USAGE : QC_EXIT_OK;
    if (o.output)
        return qc_cli_usage("probe", "%s", "--output belongs to 'qcaps record'");
    if (!o.emulator == !o.fixture)
        return qc_cli_usage("probe", "%s", "give PATH, --emulator PATH or --fixture FILE");
    if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
        return qc_cli_usage("probe", "unknown --format '%s' (text or json)", o.format);

    if (o.fixture && (o.cache.dir || o.cache.refresh))
        return qc_cli_usage("probe", "%s", "--fixture replays never use the cache");
    if (o.fixture && o.tcg_only)
        return qc_cli_usage("probe", "%s", "--tcg-only and --fixture exclude each other: a "
                                           "replay gives the passes that were recorded");
    if (o.fixture && o.timeout_ms)
        return qc_cli_usage("probe", "%s", "--timeout and --fixture exclude each other: a "
                                           "replay starts no QEMU");
    if (o.tcg_only && (o.cache.dir || o.cache.refresh))
        return qc_cli_usage("probe", "%s", "--tcg-only probes are never cached");
    if (!(ctx = qc_cli_context_new(&o.cache, &err)))
        return err->code == QC_E_INVALID ? qc_cli_usage("probe", "%s", err->message)
                                         : qc_cli_fail(err);
    qcaps_context_set_timeout(ctx, o.timeout_ms);
    qcaps_context_set_tcg_only(ctx, o.tcg_only);
    m = o.fixture ? qcaps_replay(o.fixture, &pe) : qcaps_get_model(ctx, o.emulator, &pe);
    qcaps_context_free(ctx);
    if (!m)
        return qc_cli_fail_api(pe);
    text = strcmp(o.format, "json") == 0 ? qcaps_model_to_json(m, &pe)
                                         : qcaps_model_summary(m, &pe);
    qcaps_model_free(m);
    if (!text)
        return qc_cli_fail_api(pe);
    r = fputs(text, stdout) < 0 || fflush(stdout) != 0;
    free(text);
    if (r)
        return qc_cli_failf(NULL, "writing the output: %s", strerror(errno));
    return QC_EXIT_OK;
}

