/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-firmware.c: fuzzes the firmware descriptor reader and the descriptor matching.
 *
 * The reader (qc_host_read_firmware() in introspect/host.c) only reads files, so the input
 * is written to <private dir>/60-fuzz.json (a directory under $TMPDIR, removed at exit)
 * and read from there; every resulting descriptor then goes through qc_fw_matches() and
 * qc_fw_resolve() (schema/firmware.c) for common targets and machines and for the
 * descriptor's own patterns.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "introspect/host.h"
#include "schema/firmware.h"
#include "fuzz.h"

static char *qc_fuzz_dir;
static char *qc_fuzz_file;

static void
qc_fuzz_cleanup(void)
{
    if (qc_fuzz_file)
        unlink(qc_fuzz_file);
    if (qc_fuzz_dir)
        rmdir(qc_fuzz_dir);
    free(qc_fuzz_file);
    free(qc_fuzz_dir);
}

static void
qc_fuzz_init(void)
{
    const char *tmp = getenv("TMPDIR");

    if (qc_fuzz_dir)
        return;
    QC_FUZZ_CHECK(asprintf(&qc_fuzz_dir, "%s/qcaps-fuzz-fw-XXXXXX",
                           tmp && *tmp ? tmp : "/tmp") > 0);
    QC_FUZZ_CHECK(mkdtemp(qc_fuzz_dir) != NULL);
    QC_FUZZ_CHECK(asprintf(&qc_fuzz_file, "%s/60-fuzz.json", qc_fuzz_dir) > 0);
    atexit(qc_fuzz_cleanup);
}

static void
qc_fuzz_warn(const char *msg, void *opaque)
{
    (void) msg;
    (void) opaque;
}

static void
qc_fuzz_resolve(const qc_host *h, const char *target, const char *machine)
{
    qc_fw_result r;
    qc_error *err = NULL;

    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < h->n_firmware; i++)
        (void) qc_fw_matches(&h->firmware[i], target, machine);
    if (qc_fw_resolve(h->firmware, h->n_firmware, &h->firmware_images, target, machine,
                      qc_fuzz_warn, NULL, &r, &err) < 0)
        QC_FUZZ_CHECK(err != NULL);
    QC_FUZZ_CHECK(r.n_matched <= h->n_firmware);
    qc_fw_result_clear(&r);
    qc_error_free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const pairs[][2] = {
        {"x86_64", "pc-q35-7.2"}, {"x86_64", "pc-i440fx-7.2"}, {"aarch64", "virt-7.2"},
        {"arm", "virt"}, {"i386", "pc"}, {"riscv64", "virt"}, {"", ""},
    };
    const char *dirs[2];
    qc_host h;
    qc_error *err = NULL;
    size_t done = 0;
    int fd;

    qc_fuzz_init();
    fd = open(qc_fuzz_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    QC_FUZZ_CHECK(fd >= 0);
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        QC_FUZZ_CHECK(n > 0);
        done += (size_t) n;
    }
    close(fd);

    memset(&h, 0, sizeof(h));
    dirs[0] = qc_fuzz_dir;
    dirs[1] = NULL;
    if (qc_host_read_firmware(&h, dirs, &err) < 0) {
        QC_FUZZ_CHECK(err != NULL);
        qc_error_free(err);
        qc_host_clear(&h);
        return 0;
    }
    /* An empty file masks the descriptor; anything else gives exactly one. */
    QC_FUZZ_CHECK(h.n_firmware == (size ? 1u : 0u));
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        qc_fuzz_resolve(&h, pairs[i][0], pairs[i][1]);
    for (size_t i = 0; i < h.n_firmware; i++) {
        const qc_fw_desc *d = &h.firmware[i];
        if (d->error)
            continue; /* skipped by its users; targets may be half filled */
        for (size_t t = 0; t < d->n_targets; t++) {
            const qc_fw_target *ft = &d->targets[t];
            QC_FUZZ_CHECK(ft->arch != NULL);
            qc_fuzz_resolve(&h, ft->arch, "pc-q35-7.2");
            for (size_t m = 0; m < ft->machines.n && m < 4; m++)
                qc_fuzz_resolve(&h, ft->arch, ft->machines.v[m]);
        }
    }
    qc_host_clear(&h);
    return 0;
}
