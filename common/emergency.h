/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* emergency.h: what must not outlive a process that a signal ends mid-probe.
 *
 * Contract: the layers register what they create and would remove on a normal path (a
 * QEMU's process group and private directory; a held cache lock file) and unregister it
 * when they remove it themselves. qc_emergency_run() undoes everything still registered
 * and is async-signal-safe: a program's own SIGINT/SIGTERM/SIGHUP handler calls it (the
 * library installs no handler). Registration is thread-safe (atomics, no locks); the
 * table is bounded, and a registration that finds it full is simply not undone on a
 * signal (the normal paths still are).
 */
#ifndef QC_COMMON_EMERGENCY_H
#define QC_COMMON_EMERGENCY_H

#include <sys/types.h>

/* A private directory holding only `files` (names, NULL-terminated, at most 4) and,
 * once known, the process group that uses it. Returns the slot, or -1. */
int qc_emergency_add_dir(const char *dir, const char *const *files);
void qc_emergency_set_group(int slot, pid_t pgid);
/* A file `name` of directory `dirfd` (kept open by the caller while registered). */
int qc_emergency_add_file(int dirfd, const char *name);
/* Forgets slot (-1: nothing); or the file registered as (dirfd, name). */
void qc_emergency_remove(int slot);
void qc_emergency_remove_file(int dirfd, const char *name);

/* Kills every registered process group (SIGKILL), removes every registered file and
 * directory. Async-signal-safe. */
void qc_emergency_run(void);

#endif
