/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c: the qcaps command: dispatch to a verb (one file per verb: cli/cli.h), signals,
 * the top-level help. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char qc_usage_main[] =
    "Usage: qcaps [--help] [--version] COMMAND [OPTIONS]\n"
    "\n"
    "Ask a QEMU binary what it can do, over QMP.\n"
    "\n"
    "Commands:\n"
    "  probe    start the emulator (or replay a fixture) and print its capability model\n"
    "  record   probe a live emulator and save the whole conversation as a fixture\n"
    "  domcaps  print libvirt's domainCapabilities of an emulator (XML or JSON); also\n"
    "           'domcapabilities', as virsh calls it\n"
    "  capabilities\n"
    "           print libvirt's host capabilities with one guest per emulator found\n"
    "  warm     probe every emulator whose capability cache entry is missing or stale\n"
    "  cache    list, check or clear the capability cache\n"
    "  diff     what changed between two emulators, fixtures, models or host exports\n"
    "  export   write this host's facts and every emulator's model to one file\n"
    "\n"
    "Run 'qcaps COMMAND --help' or 'qcaps help COMMAND' for a command's options. See\n"
    "qcaps(1).\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure, 128+N ended by signal N.\n";

/* Runs verb `verb` (argv[0] is the verb). virsh's name domcapabilities is domcaps. */
static int
qc_dispatch(const char *verb, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } verbs[] = {
        {"probe", qc_cmd_probe},       {"record", qc_cmd_record},
        {"domcaps", qc_cmd_domcaps},   {"domcapabilities", qc_cmd_domcaps},
        {"capabilities", qc_cmd_capabilities}, {"warm", qc_cmd_warm},
        {"cache", qc_cmd_cache},       {"diff", qc_cmd_diff},
        {"export", qc_cmd_export},
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(verbs); i++) {
        if (strcmp(verb, verbs[i].name) == 0)
            return verbs[i].fn(argc, argv);
    }
    return qc_cli_usage(NULL, "unknown command '%s'", verb);
}

/* SIGINT, SIGTERM, SIGHUP mid-probe: no QEMU, directory or lock may stay behind; the
 * exit status is 128 + the signal, as a shell reports a process the signal killed. */
static void
qc_on_signal(int sig)
{
    qcaps_emergency_cleanup();
    _exit(128 + sig);
}

static void
qc_install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = qc_on_signal;
    sigfillset(&sa.sa_mask); /* one handler at a time */
    for (size_t i = 0; i < QC_N_ELEMENTS(sigs); i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup, a background job) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int
main(int argc, char **argv)
{
    const char *verb;

    qc_install_signal_handlers();
    if (argc < 2)
        return qc_cli_usage(NULL, "%s", "missing command");
    verb = argv[1];
    /* "qcaps help VERB" is "qcaps VERB --help" */
    if (strcmp(verb, "help") == 0 && argc == 3) {
        char *help[] = {argv[2], (char *) "--help", NULL};
        if (strcmp(argv[2], "help") != 0)
            return qc_dispatch(argv[2], 2, help);
    }
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
        fputs(qc_usage_main, stdout);
        return QC_EXIT_OK;
    }
    if (strcmp(verb, "--version") == 0) {
        printf("qcaps %s\n", QC_VERSION);
        return QC_EXIT_OK;
    }
    return qc_dispatch(verb, argc - 1, argv + 1);
}
