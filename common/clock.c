/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clock.c: the monotonic clock (clock.h). */
#include "common/clock.h"

#include <time.h>

double
qc_clock_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
