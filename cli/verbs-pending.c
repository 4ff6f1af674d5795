/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder verbs until their files are written */
#include <stdio.h>

#include "cli/cli.h"

int
qc_cmd_domcaps(int argc, char **argv)
{
    (void) argc, (void) argv;
    fputs("qcaps: domcaps: not available in this build yet\n", stderr);
    return 1;
}

int
qc_cmd_capabilities(int argc, char **argv)
{
    (void) argc, (void) argv;
    fputs("qcaps: capabilities: not available in this build yet\n", stderr);
    return 1;
}

int
qc_cmd_warm(int argc, char **argv)
{
    (void) argc, (void) argv;
    fputs("qcaps: warm: not available in this build yet\n", stderr);
    return 1;
}

int
qc_cmd_cache(int argc, char **argv)
{
    (void) argc, (void) argv;
    fputs("qcaps: cache: not available in this build yet\n", stderr);
    return 1;
}
