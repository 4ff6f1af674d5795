/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-opts.c: the options `qcaps probe` and `qcaps record` share, parsed one way. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

enum { QC_OPT_TCG_ONLY = 0x100 };

int
qc_probe_opts_parse(const char *verb, const char *usage, int argc, char **argv,
                    qc_probe_cli_opts *o)
{
    static const struct option longopts[] = {
        {"emulator", required_argument, NULL, 'e'},
        {"fixture", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 't'},
        {"tcg-only", no_argument, NULL, QC_OPT_TCG_ONLY},
        QC_VERB_LONGOPTS_END,
    };
    char *msg = NULL;
    int c, r;

    qc_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":e:F:o:f:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            o->emulator = optarg;
            break;
        case 'F':
            o->fixture = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case QC_OPT_TCG_ONLY:
            o->tcg_only = true;
            break;
        default:
            if ((r = qc_cli_opt_other(verb, usage, c, argv, &o->timeout_ms, &o->cache)) >= 0)
                return r == QC_EXIT_OK ? 1 : -1;
            break;
        }
    }
    o->cache_given = o->cache.dir || o->cache.no_cache || o->cache.refresh;
    /* `qcaps probe qemu-system-x86_64` */
    if (qc_cli_emulator_operand(argc, argv, &o->emulator, o->fixture, &msg) < 0) {
        qc_cli_usage(verb, "%s", msg ? msg : "out of memory");
        free(msg);
        return -1;
    }
    return 0;
}

