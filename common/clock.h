/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clock.h: the one clock qcaps measures durations and deadlines with.
 *
 * Contract: libc only; CLOCK_MONOTONIC, so a change of the wall clock moves no deadline.
 */
#ifndef QC_COMMON_CLOCK_H
#define QC_COMMON_CLOCK_H

/* Seconds on the monotonic clock (its origin is arbitrary: subtract two readings). */
double qc_clock_now(void);

#endif
