/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.h: runs the QMP probe of one QEMU binary (live or replayed) and builds its model.
 *
 * Contract:
 * - Input: an emulator path (live) or a fixture (replay), options. Output: a qc_model, or
 *   one error naming the emulator (or fixture) and the cause.
 * - Live: host facts are read from the system; when KVM is usable and the binary's target
 *   matches the host, a KVM pass and a TCG pass run concurrently on the same event_base
 *   (CPU-model usability, host CPU and machine lists differ per accelerator); otherwise
 *   one TCG pass. Record mode tees both conversations plus the host facts into a fixture.
 * - Replay: the host facts come from the fixture header and the passes from its sections;
 *   the result is byte-identical to the live probe that recorded it, on any machine.
 * - The queries are those of shared docs/domcaps-mapping.md §1.4; CommandNotFound for an
 *   optional query and DeviceNotFound for property lists are facts, not failures.
 * - Deadlines: every command has one, and the whole probe has one; on any failure every
 *   QEMU is killed and reaped and its directory removed before the callback runs.
 *
 * Layer introspect/ (the host layer): owns starting and reaping QEMU (launch.h), the
 * probe's phases and reply decoders (probe-phases.h, probe-queries.h), the model a probe
 * builds, and the reads of the running system: host facts, firmware descriptors and
 * emulator discovery (host.h). Layers above read the host through it.
 */
#ifndef QC_INTROSPECT_PROBE_H
#define QC_INTROSPECT_PROBE_H

#include <event2/event.h>

#include "common/error.h"
#include "model/model.h"

typedef struct qc_fixture qc_fixture;
typedef struct qc_probe qc_probe;

#define QC_PROBE_DEFAULT_TIMEOUT_MS 60000
#define QC_PROBE_DEFAULT_COMMAND_TIMEOUT_MS 20000

typedef enum qc_probe_accel_mode {
    QC_PROBE_ACCEL_AUTO = 0, /* KVM + TCG where KVM applies, else TCG */
    QC_PROBE_ACCEL_TCG_ONLY,
} qc_probe_accel_mode;

typedef struct qc_probe_opts {
    const char *emulator;        /* live binary; with a fixture, overrides the recorded path */
    const qc_fixture *fixture;   /* replay source (borrowed), or NULL for live */
    const char *record_path;     /* live only: write the conversation as a fixture here */
    char **record_text;          /* live only: or set *record_text to its text (caller
                                  * frees; must outlive the probe) */
    int timeout_ms;              /* whole probe; 0 = default */
    int command_timeout_ms;      /* each command; 0 = default */
    qc_probe_accel_mode accel_mode;
} qc_probe_opts;

/* Called exactly once unless the probe is cancelled. Ownership of `model` (NULL on
 * failure) and `error` (NULL on success) passes to the callee. The qc_probe is already
 * finished: do not cancel it, it frees itself after the callback returns. */
typedef void (*qc_probe_done_fn)(qc_model *model, qc_error *error, void *opaque);

qc_probe *qc_probe_start(struct event_base *base, const qc_probe_opts *opts,
                         qc_probe_done_fn done, void *opaque, qc_error **err);
/* Stops a running probe: QEMUs killed and reaped, temp dirs removed, no callback. */
void qc_probe_cancel(qc_probe *p);

/* Runs one probe on a private event_base until it finishes. SIGPIPE is blocked in the
 * calling thread meanwhile. Users of qc_probe_start() must themselves ignore or block
 * SIGPIPE: writes to a QEMU that died would raise it. */
qc_model *qc_probe_run(const qc_probe_opts *opts, qc_error **err);

#endif
