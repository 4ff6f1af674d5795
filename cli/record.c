/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* record.c: the `qcaps record` verb: a live probe saved as a fixture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char qc_usage_record[] =
    "Usage: qcaps record (PATH | --emulator PATH) --output FILE [--timeout SECONDS]\n"
    "                    [--tcg-only]\n"
    "\n"
    "Probe a live emulator (never through the capability cache) and write everything\n"
    "the probe read from the outside world (every QMP exchange of every pass, plus the\n"
    "host facts it used) to FILE, which\n"
    "'qcaps probe --fixture FILE' then replays on any machine. FILE is replaced\n"
    "atomically and only when the probe succeeds.\n"
    "\n"
    "  -e, --emulator PATH   the qemu-system-* binary to probe (a PATH operand says the\n"
    "                        same; a bare name is looked up in $PATH)\n"
    "  -o, --output FILE     where to write the fixture ('-': standard output)\n"
    "  -t, --timeout SECS    give up on the whole probe after SECS seconds (default 60)\n"
    "      --tcg-only        probe only with TCG, even where KVM is usable\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure.\n";

int
qc_cmd_record(int argc, char **argv)
{
    qc_probe_cli_opts o = {0};
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qcaps_error *pe = NULL;
    qcaps_context *ctx;
    qcaps_model *m;
    unsigned long v;
    char *text = NULL;
    bool to_stdout;
    int r;

    if ((r = qc_probe_opts_parse("record", qc_usage_record, argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_USAGE : QC_EXIT_OK;
    if (o.fixture)
        return qc_cli_usage("record", "%s", "--fixture cannot be recorded again; give --emulator");
    if (o.format)
        return qc_cli_usage("record", "%s", "--format belongs to 'qcaps probe'");
    if (o.cache_given)
        return qc_cli_usage("record", "%s", "record always probes live; the cache options "
                              "do not apply");
    if (!o.emulator || !o.output)
        return qc_cli_usage("record", "%s", "give PATH (or --emulator PATH) and --output FILE");
    if (!(ctx = qc_cli_context_new(NULL, &err)))
        return qc_cli_fail(err);
    qcaps_context_set_timeout(ctx, o.timeout_ms);
    qcaps_context_set_tcg_only(ctx, o.tcg_only);
    /* "-": standard output, written only once the probe has succeeded */
    to_stdout = strcmp(o.output, "-") == 0;
    m = qcaps_record(ctx, o.emulator, to_stdout ? NULL : o.output, to_stdout ? &text : NULL,
                     &pe);
    qcaps_context_free(ctx);
    if (!m)
        return qc_cli_fail_api(pe);
    if (text) {
        r = fputs(text, stdout) < 0 || fflush(stdout) != 0;
        free(text);
        if (r) {
            qcaps_model_free(m);
            return qc_cli_failf(NULL, "writing the output: %s", strerror(errno));
        }
    }
    v = qcaps_model_version(m);
    fprintf(stderr, "qcaps: recorded %s (QEMU %lu.%lu.%lu, %s) to %s\n", qcaps_model_emulator(m),
            v / 1000000, v / 1000 % 1000, v % 1000, qcaps_model_target(m),
            to_stdout ? "standard output" : o.output);
    qcaps_model_free(m);
    return QC_EXIT_OK;
}
