/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flags.c: the flag rule tables (docs/domcaps-mapping.md §2.2) and post-processing (§2.3).
 *
 * Every flag is derived from one probed fact; names follow libvirt's capability names where
 * known. The tables are documented in model/README.md ("Flags"); keep both in sync.
 */
#include "introspect/flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* Family 1: QOM type present -> flag. Several types may map to one flag. */
static const struct {
    const char *type;
    const char *flag;
} qc_type_flags[] = {
    {"VGA", "vga"},
    {"cirrus-vga", "cirrus-vga"},
    {"vmware-svga", "vmware-svga"},
    {"qxl", "qxl"},
    {"qxl-vga", "qxl"},
    {"virtio-gpu-pci", "virtio-gpu"},
    {"virtio-gpu-device", "virtio-gpu"},
    {"virtio-gpu-ccw", "virtio-gpu-ccw"},
    {"virtio-vga", "virtio-vga"},
    {"virtio-gpu-gl-pci", "virtio-gpu-gl-pci"},
    {"virtio-vga-gl", "virtio-vga-gl"},
    {"vhost-user-gpu", "vhost-user-gpu"},
    {"vhost-user-vga", "vhost-user-vga"},
    {"bochs-display", "bochs-display"},
    {"ramfb", "ramfb"},
    {"virtio-rng-pci", "virtio-rng"},
    {"virtio-rng-ccw", "virtio-rng"},
    {"virtio-rng-device", "virtio-rng"},
    {"rng-random", "rng-random"},
    {"rng-egd", "rng-egd"},
    {"rng-builtin", "rng-builtin"},
    {"usb-redir", "usb-redir"},
    {"usb-storage", "usb-storage"},
    {"usb-hub", "usb-hub"},
    {"usb-kbd", "usb-kbd"},
    {"usb-audio", "usb-audio"},
    {"usb-serial", "usb-serial"},
    {"usb-host", "usb-host"},
    {"ich9-ahci", "ich9-ahci"},
    {"vhost-user-fs-device", "vhost-user-fs"},
    {"memory-backend-ram", "memory-backend-ram"},
    {"memory-backend-file", "memory-backend-file"},
    {"memory-backend-memfd", "memory-backend-memfd"},
    {"vmcoreinfo", "vmcoreinfo"},
    {"vmgenid", "vmgenid"},
    {"sev-guest", "sev-guest"},
    {"sgx-epc", "sgx-epc"},
    {"s390-pv-guest", "s390-pv-guest"},
    {"tcg-accel", "tcg"},
    {"piix3-usb-uhci", "piix3-usb-uhci"},
    {"piix4-usb-uhci", "piix4-usb-uhci"},
    {"usb-ehci", "usb-ehci"},
    {"ich9-usb-ehci1", "ich9-usb-ehci1"},
    {"vt82c686b-usb-uhci", "vt82c686b-usb-uhci"},
    {"pci-ohci", "pci-ohci"},
    {"nec-usb-xhci", "nec-usb-xhci"},
    {"qemu-xhci", "qemu-xhci"},
    {"vfio-pci", "vfio-pci"},
    {"vfio-ap", "vfio-ap"},
    {"spapr-tpm-proxy", "spapr-tpm-proxy"},
    {"virtio-crypto-pci", "virtio-crypto"},
    {"virtio-crypto-device", "virtio-crypto"},
    {"cryptodev-backend-lkcf", "cryptodev-backend-lkcf"},
    {"pvpanic", "pvpanic"},
    {"pvpanic-pci", "pvpanic-pci"},
    {"virtio-scsi-pci", "virtio-scsi-pci"},
    {"virtio-scsi-ccw", "virtio-scsi-pci"},
    {"virtio-scsi-device", "virtio-scsi-pci"},
    {"virtio-blk-ccw", "virtio-ccw"},
    {"virtio-mmio", "virtio-mmio"},
    {"lsi53c895a", "lsi"},
    {"megasas", "megasas"},
    {"mptsas1068", "mptsas1068"},
    {"pvscsi", "pvscsi"},
    {"spapr-vscsi", "spapr-vscsi"},
    {"scsi-block", "scsi-block"},
    {"ich9-intel-hda", "ich9-intel-hda"},
    {"hda-duplex", "hda-duplex"},
    {"hda-micro", "hda-micro"},
    {"hda-output", "hda-output"},
    {"ccid-card-emulated", "ccid-emulated"},
    {"ccid-card-passthru", "ccid-passthru"},
    {"sclpconsole", "sclpconsole"},
    {"sclplmconsole", "sclplmconsole"},
    {"ivshmem-plain", "ivshmem-plain"},
    {"ivshmem-doorbell", "ivshmem-doorbell"},
    {"vhost-scsi", "vhost-scsi"},
    {"vhost-vsock-device", "vhost-vsock"},
    {"vhost-user-vsock-device", "vhost-user-vsock"},
    {"pxb", "pxb"},
    {"pxb-pcie", "pxb-pcie"},
    {"pcie-root-port", "pcie-root-port"},
    {"ioh3420", "ioh3420"},
    {"x3130-upstream", "x3130-upstream"},
    {"xio3130-downstream", "xio3130-downstream"},
    {"pci-bridge", "pci-bridge"},
    {"i82801b11-bridge", "dmi-to-pci-bridge"},
    {"pcie-pci-bridge", "pcie-pci-bridge"},
    {"spapr-pci-host-bridge", "spapr-pci-host-bridge"},
    {"virtio-keyboard-pci", "virtio-keyboard"},
    {"virtio-keyboard-device", "virtio-keyboard"},
    {"virtio-mouse-pci", "virtio-mouse"},
    {"virtio-mouse-device", "virtio-mouse"},
    {"virtio-tablet-pci", "virtio-tablet"},
    {"virtio-tablet-device", "virtio-tablet"},
    {"virtio-input-host-pci", "virtio-input-host"},
    {"virtio-input-host-device", "virtio-input-host"},
    {"input-linux", "input-linux"},
    {"intel-iommu", "intel-iommu"},
    {"amd-iommu", "amd-iommu"},
    {"virtio-iommu-pci", "virtio-iommu-pci"},
    {"nvdimm", "nvdimm"},
    {"pr-manager-helper", "pr-manager-helper"},
    {"mch", "mch"},
    {"tpm-tis", "tpm-tis"},
    {"tpm-tis-device", "tpm-tis"},
    {"tpm-crb", "tpm-crb"},
    {"tpm-spapr", "tpm-spapr"},
    {"tpm-passthrough", "tpm-passthrough"},
    {"tpm-emulator", "tpm-emulator"},
    {"zpci", "zpci"},
    {"dbus-vmstate", "dbus-vmstate"},
    {"virtio-mem-pci", "virtio-mem-pci"},
    {"virtio-pmem-pci", "virtio-pmem-pci"},
    {"chardev-qemu-vdagent", "qemu-vdagent"},
    {"chardev-dbus", "chardev-dbus"},
    {"chardev-spicevmc", "chardev-spicevmc"},
    {"acpi-erst", "acpi-erst"},
    {"sga", "sga"},
    {"isa-fdc", "isa-fdc"},
    {"usb-uas", "usb-uas"},
    {"usb-mouse", "usb-mouse"},
    {"usb-tablet", "usb-tablet"},
    {"virtio-net-pci", "virtio-net"},
    {"virtio-net-ccw", "virtio-net"},
    {"virtio-net-device", "virtio-net"},
    {"virtio-balloon-pci", "virtio-balloon"},
    {"virtio-balloon-ccw", "virtio-balloon"},
    {"virtio-balloon-device", "virtio-balloon"},
    {"virtio-serial-pci", "virtio-serial"},
    {"virtio-serial-ccw", "virtio-serial"},
    {"virtio-serial-device", "virtio-serial"},
    {"vhost-user-blk-pci", "vhost-user-blk"},
    {"vhost-user-blk", "vhost-user-blk"},
    {"iothread", "iothread"},
    {"secret", "secret"},
    {"thread-context", "thread-context"},
    {"max-x86_64-cpu", "x86-max-cpu"},
    {"max-arm-cpu", "arm-max-cpu"},
};

/* Family 2: (device, gate flag, property) -> flag. Queried only when the device type exists
 * and the gate flag (if any) is set. */
static const struct {
    const char *device;
    const char *gate;
    const char *prop;
    const char *flag;
} qc_device_prop_flags[] = {
    {"virtio-blk-pci", NULL, "scsi", "virtio-blk-pci.scsi"},
    {"virtio-blk-pci", NULL, "ats", "virtio-pci-ats"},
    {"virtio-blk-pci", NULL, "iommu_platform", "virtio-pci-iommu-platform"},
    {"virtio-blk-pci", NULL, "packed", "virtio-packed-queues"},
    {"virtio-blk-pci", NULL, "acpi-index", "acpi-index"},
    {"virtio-blk-pci", NULL, "share-rw", "disk-share-rw"},
    {"virtio-blk-pci", NULL, "write-cache", "disk-write-cache"},
    {"virtio-blk-pci", NULL, "queue-size", "virtio-blk.queue-size"},
    {"virtio-blk-pci", NULL, "num-queues", "virtio-blk.num-queues"},
    {"virtio-blk-ccw", NULL, "packed", "virtio-packed-queues"},
    {"virtio-net-pci", NULL, "tx", "virtio-tx-alg"},
    {"virtio-net-pci", NULL, "rx_queue_size", "virtio-net.rx_queue_size"},
    {"virtio-net-pci", NULL, "tx_queue_size", "virtio-net.tx_queue_size"},
    {"virtio-net-pci", NULL, "host_mtu", "virtio-net.host_mtu"},
    {"virtio-net-pci", NULL, "failover", "virtio-net.failover"},
    {"virtio-scsi-pci", "virtio-scsi-pci", "iothread", "virtio-scsi-pci.iothread"},
    {"VGA", "vga", "vgamem_mb", "vga.vgamem_mb"},
    {"vmware-svga", "vmware-svga", "vgamem_mb", "vmware-svga.vgamem_mb"},
    {"qxl", "qxl", "vgamem_mb", "qxl.vgamem_mb"},
    {"qxl", "qxl", "vram64_size_mb", "qxl.vram64_size_mb"},
    {"qxl", "qxl", "max_outputs", "qxl.max_outputs"},
    {"virtio-gpu-pci", "virtio-gpu", "virgl", "virtio-gpu.virgl"},
    {"virtio-gpu-pci", "virtio-gpu", "max_outputs", "virtio-gpu.max_outputs"},
    {"virtio-gpu-pci", "virtio-gpu", "blob", "virtio-gpu.blob"},
    {"virtio-gpu-device", "virtio-gpu", "virgl", "virtio-gpu.virgl"},
    {"virtio-gpu-device", "virtio-gpu", "max_outputs", "virtio-gpu.max_outputs"},
    {"intel-iommu", "intel-iommu", "intremap", "intel-iommu.intremap"},
    {"intel-iommu", "intel-iommu", "caching-mode", "intel-iommu.caching-mode"},
    {"intel-iommu", "intel-iommu", "eim", "intel-iommu.eim"},
    {"intel-iommu", "intel-iommu", "device-iotlb", "intel-iommu.device-iotlb"},
    {"intel-iommu", "intel-iommu", "aw-bits", "intel-iommu.aw-bits"},
    {"virtio-iommu-pci", "virtio-iommu-pci", "boot-bypass", "virtio-iommu.boot-bypass"},
    {"usb-redir", "usb-redir", "filter", "usb-redir.filter"},
    {"usb-storage", "usb-storage", "removable", "usb-storage.removable"},
    {"usb-host", NULL, "hostdevice", "usb-host.hostdevice"},
    {"scsi-hd", NULL, "rotation_rate", "rotation-rate"},
    {"scsi-hd", NULL, "device_id", "scsi-disk.device_id"},
    {"PIIX4_PM", NULL, "disable_s3", "piix.disable_s3"},
    {"PIIX4_PM", NULL, "disable_s4", "piix.disable_s4"},
    {"PIIX4_PM", NULL, "acpi-root-pci-hotplug", "piix4.acpi-root-pci-hotplug"},
    {"ICH9-LPC", NULL, "disable_s3", "ich9.disable_s3"},
    {"ICH9-LPC", NULL, "disable_s4", "ich9.disable_s4"},
    {"kvm-pit", NULL, "lost_tick_policy", "kvm-pit-lost-tick-policy"},
    {"virtio-balloon-pci", NULL, "deflate-on-oom", "virtio-balloon.deflate-on-oom"},
    {"virtio-balloon-pci", NULL, "free-page-reporting", "virtio-balloon.free-page-reporting"},
    {"virtio-balloon-ccw", NULL, "free-page-reporting", "virtio-balloon.free-page-reporting"},
    {"virtio-balloon-device", NULL, "free-page-reporting",
     "virtio-balloon.free-page-reporting"},
    {"nec-usb-xhci", "nec-usb-xhci", "p3", "nec-usb-xhci-ports"},
    {"pcie-root-port", "pcie-root-port", "hotplug", "pcie-root-port.hotplug"},
    {"nvdimm", "nvdimm", "unarmed", "nvdimm.unarmed"},
    {"vhost-user-fs-device", "vhost-user-fs", "bootindex", "vhost-user-fs.bootindex"},
    {"virtio-mem-pci", "virtio-mem-pci", "prealloc", "virtio-mem-pci.prealloc"},
    {"mch", "mch", "extended-tseg-mbytes", "mch.extended-tseg-mbytes"},
    {"spapr-pci-host-bridge", "spapr-pci-host-bridge", "numa_node",
     "spapr-pci-host-bridge.numa_node"},
    {"virtio-net-pci", NULL, "acpi-index", "acpi-index"},
};

/* Family 3a: (object, property) -> flag (qom-list-properties). */
static const struct {
    const char *object;
    const char *prop;
    const char *flag;
} qc_object_prop_flags[] = {
    {"memory-backend-file", "pmem", "memory-backend-file.pmem"},
    {"memory-backend-file", "align", "memory-backend-file.align"},
    {"memory-backend-file", "discard-data", "memory-backend-file.discard-data"},
    {"memory-backend-file", "prealloc-threads", "memory-backend.prealloc-threads"},
    {"memory-backend-file", "reserve", "memory-backend.reserve"},
    {"memory-backend-memfd", "hugetlb", "memory-backend-memfd.hugetlb"},
    {"max-x86_64-cpu", "unavailable-features", "cpu-unavailable-features"},
    {"max-x86_64-cpu", "migratable", "cpu.migratable"},
    {"max-x86_64-cpu", "kvm-no-adjvtime", "cpu.kvm-no-adjvtime"},
    {"max-arm-cpu", "migratable", "cpu.migratable"},
    {"max-arm-cpu", "kvm-no-adjvtime", "cpu.kvm-no-adjvtime"},
    {"sev-guest", "kernel-hashes", "sev-guest.kernel-hashes"},
};

/* Family 3b: (machine family, property) -> flag; the QOM type is "<canonical>-machine". */
static const char *const qc_machine_families[] = {"pseries", "virt", "none"};
static const struct {
    const char *family;
    const char *prop;
    const char *flag;
} qc_machine_prop_flags[] = {
    {"pseries", "cap-hpt-max-page-size", "machine.pseries.cap-hpt-max-page-size"},
    {"pseries", "cap-htm", "machine.pseries.cap-htm"},
    {"pseries", "cap-nested-hv", "machine.pseries.cap-nested-hv"},
    {"pseries", "cap-ccf-assist", "machine.pseries.cap-ccf-assist"},
    {"pseries", "cap-cfpc", "machine.pseries.cap-cfpc"},
    {"pseries", "cap-sbbc", "machine.pseries.cap-sbbc"},
    {"pseries", "cap-ibs", "machine.pseries.cap-ibs"},
    {"virt", "iommu", "machine.virt.iommu"},
    {"virt", "ras", "machine.virt.ras"},
    {"none", "confidential-guest-support", "machine.confidential-guest-support"},
    {"none", "memory-backend", "machine.memory-backend"},
};

/* Family 4: schema path query -> flag. */
static const struct {
    const char *query;
    const char *flag;
} qc_qmp_schema_flags[] = {
    {"query-display-options/ret-type/+sdl", "sdl"},
    {"query-display-options/ret-type/+egl-headless", "egl-headless"},
    {"query-display-options/ret-type/+egl-headless/rendernode", "egl-headless.rendernode"},
    {"query-display-options/ret-type/+dbus", "display-dbus"},
    {"blockdev-add/arg-type/+file/aio/^io_uring", "aio.io_uring"},
    {"blockdev-add/arg-type/+file/$dynamic-auto-read-only",
     "blockdev-file-dynamic-auto-read-only"},
    {"blockdev-add/arg-type/+rbd/encrypt", "rbd-encryption"},
    {"blockdev-add/arg-type/+nvme", "drive-nvme"},
    {"blockdev-add/arg-type/+nbd/tls-hostname", "blockdev-nbd-tls-hostname"},
    {"blockdev-snapshot/$allow-write-only-overlay", "blockdev-snapshot.allow-write-only-overlay"},
    {"chardev-add/arg-type/backend/+socket/data/reconnect", "chardev-reconnect"},
    {"device_add/$json-cli", "device.json"},
    {"device_add/$json-cli-hotplug", "device.json+hotplug"},
    {"object-add/arg-type/qom-type/^secret", "object.qapified"},
    {"netdev_add/arg-type/+stream", "netdev.stream"},
    {"netdev_add/arg-type/+vhost-vdpa", "vhost-vdpa"},
    {"nbd-server-start/arg-type/tls-creds", "nbd-tls"},
    {"nbd-server-add/arg-type/bitmap", "nbd-bitmap"},
    {"block-export-add/arg-type/+nbd/bitmaps", "nbd-bitmaps"},
    {"query-iothreads/ret-type/poll-max-ns", "iothread.poll-max-ns"},
    {"query-named-block-nodes/arg-type/flat", "qmp-query-named-block-nodes-flat"},
    {"screendump/arg-type/device", "screendump_device"},
    {"set-numa-node/arg-type/+hmat-lb", "numa.hmat"},
    {"query-hotpluggable-cpus/ret-type/props/die-id", "smp-dies"},
    {"query-migrate/ret-type/blocked-reasons", "migration.blocked-reasons"},
    {"migrate-set-parameters/arg-type/block-bitmap-mapping/bitmaps/transform",
     "migration-param.block-bitmap-mapping"},
    {"migrate-set-parameters/arg-type/avail-switchover-bandwidth",
     "migration-param.avail-switchover-bandwidth"},
    {"human-monitor-command/$savevm-monitor-nodes", "savevm-monitor-nodes"},
    {"object-add/arg-type/+memory-backend-file/prealloc-context",
     "memory-backend.prealloc-context"},
    {"query-machines/ret-type/acpi", "query-machines.acpi"},
};

/* Family 5: command present -> flag. */
static const struct {
    const char *command;
    const char *flag;
} qc_command_flags[] = {
    {"query-vnc", "vnc"},
    {"query-cpu-model-expansion", "query-cpu-model-expansion"},
    {"query-cpu-model-baseline", "query-cpu-model-baseline"},
    {"query-cpu-model-comparison", "query-cpu-model-comparison"},
    {"query-cpu-definitions", "query-cpu-definitions"},
    {"query-hotpluggable-cpus", "query-hotpluggable-cpus"},
    {"query-current-machine", "query-current-machine"},
    {"query-display-options", "query-display-options"},
    {"blockdev-reopen", "blockdev-reopen"},
    {"query-stats", "query-stats"},
    {"query-stats-schemas", "query-stats-schemas"},
    {"sev-inject-launch-secret", "sev-inject-launch-secret"},
    {"query-dirty-rate", "query-dirty-rate"},
    {"calc-dirty-rate", "calc-dirty-rate"},
    {"set-action", "set-action"},
    {"block-export-add", "block-export-add"},
    {"display-reload", "display-reload"},
    {"migrate-pause", "migrate-pause"},
    {"dump-guest-memory", "dump-guest-memory"},
    {"query-sev-capabilities", "query-sev-capabilities"},
    {"query-sgx-capabilities", "query-sgx-capabilities"},
    {"query-gic-capabilities", "query-gic-capabilities"},
    {"query-tpm", "query-tpm"},
    {"query-spice", "query-spice"},
    {"query-migrationthreads", "query-migrationthreads"},
    {"set-numa-node", "set-numa-node"},
};

/* Family 6: command-line option (param NULL: option present) -> flag. */
static const struct {
    const char *option;
    const char *param;
    const char *flag;
} qc_cmdline_flags[] = {
    {"spice", NULL, "spice"},
    {"spice", "gl", "spice-gl"},
    {"spice", "rendernode", "spice-rendernode"},
    {"spice", "unix", "spice-unix"},
    {"sandbox", NULL, "seccomp-sandbox"},
    {"fsdev", "multidevs", "fsdev.multidevs"},
    {"virtfs", "multidevs", "fsdev.multidevs"},
    {"machine", "hpet", "machine.hpet"},
    {"vnc", "power-control", "vnc-power-control"},
    {"vnc", "audiodev", "vnc-audiodev"},
    {"run-with", "async-teardown", "run-with.async-teardown"},
    {"overcommit", NULL, "overcommit"},
    {"smp-opts", "dies", "smp-dies"},
    {"smp-opts", "clusters", "smp-clusters"},
    {"chardev", "clipboard", "chardev-clipboard"},
};

/* Family 7: migration capability -> flag. */
static const struct {
    const char *capability;
    const char *flag;
} qc_migration_flags[] = {
    {"rdma-pin-all", "migrate-rdma"},
    {"postcopy-ram", "migrate-postcopy"},
    {"zero-copy-send", "migration.zero-copy"},
};

int
qc_flags_add(qc_model *m, const char *flag, qc_error **err)
{
    return qc_strlist_add(&m->flags, flag, err);
}

void
qc_flags_finish(qc_model *m)
{
    qc_strlist_sort(&m->flags);
    qc_strlist_uniq(&m->flags);
}

const qc_flag_device_query *
qc_flags_device_queries(size_t *ret_n)
{
    /* One query per distinct device, in table order. */
    static qc_flag_device_query q[QC_N_ELEMENTS(qc_device_prop_flags)];
    static size_t n;

    if (n == 0) {
        for (size_t i = 0; i < QC_N_ELEMENTS(qc_device_prop_flags); i++) {
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(q[j].device, qc_device_prop_flags[i].device) == 0;
            if (!seen) {
                q[n].device = qc_device_prop_flags[i].device;
                q[n].gate = qc_device_prop_flags[i].gate;
                n++;
            }
        }
    }
    *ret_n = n;
    return q;
}

const char *const *
qc_flags_object_queries(size_t *ret_n)
{
    static const char *q[QC_N_ELEMENTS(qc_object_prop_flags)];
    static size_t n;

    if (n == 0) {
        for (size_t i = 0; i < QC_N_ELEMENTS(qc_object_prop_flags); i++) {
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(q[j], qc_object_prop_flags[i].object) == 0;
            if (!seen)
                q[n++] = qc_object_prop_flags[i].object;
        }
    }
    *ret_n = n;
    return q;
}

const char *const *
qc_flags_machine_queries(size_t *ret_n)
{
    *ret_n = QC_N_ELEMENTS(qc_machine_families);
    return qc_machine_families;
}

int
qc_flags_derive_early(qc_model *m, const qc_qmp_schema *schema, qc_error **err)
{
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_type_flags); i++) {
        if (qc_model_has_type(m, qc_type_flags[i].type) &&
            qc_flags_add(m, qc_type_flags[i].flag, err) < 0)
            return -1;
    }
    /* any *-transitional virtio type: the single flag for both model variants */
    for (size_t i = 0; i < m->qom_types.n; i++) {
        const char *t = m->qom_types.v[i];
        size_t len = strlen(t), sfx = strlen("-transitional");
        if (strncmp(t, "virtio-", 7) == 0 && len > sfx && strcmp(t + len - sfx, "-transitional") == 0) {
            if (qc_flags_add(m, "virtio-pci-non-transitional", err) < 0)
                return -1;
            break;
        }
    }
    for (size_t i = 0; schema && i < QC_N_ELEMENTS(qc_qmp_schema_flags); i++) {
        if (qc_qmp_schema_query(schema, qc_qmp_schema_flags[i].query) &&
            qc_flags_add(m, qc_qmp_schema_flags[i].flag, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_command_flags); i++) {
        if (qc_model_has_command(m, qc_command_flags[i].command) &&
            qc_flags_add(m, qc_command_flags[i].flag, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_cmdline_flags); i++) {
        const qc_cmdline_option *o = qc_model_cmdline_option(m, qc_cmdline_flags[i].option);
        if (o && (!qc_cmdline_flags[i].param ||
                  qc_strlist_bsearch(&o->params, qc_cmdline_flags[i].param)) &&
            qc_flags_add(m, qc_cmdline_flags[i].flag, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_migration_flags); i++) {
        if (qc_strlist_contains(&m->migration_caps, qc_migration_flags[i].capability) &&
            qc_flags_add(m, qc_migration_flags[i].flag, err) < 0)
            return -1;
    }
    if (m->kvm && qc_flags_add(m, "kvm", err) < 0)
        return -1;
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        if (m->accel[a].probed && qc_model_find_cpu(m, (qc_accel) a, "max")) {
            if (qc_flags_add(m, "cpu-max", err) < 0)
                return -1;
            break;
        }
    }
    qc_flags_finish(m);
    return 0;
}

static bool
qc_props_have(const qc_type_props *t, const char *prop)
{
    return t && t->present && qc_strlist_bsearch(&t->props, prop);
}

static bool
qc_target_is(const qc_model *m, const char *const *names)
{
    for (; m->target && *names; names++) {
        if (strcmp(m->target, *names) == 0)
            return true;
    }
    return false;
}

/* §2.3: flags implied by other flags or by the version / target. */
static int
qc_flags_postprocess(qc_model *m, qc_error **err)
{
    static const char *const esp_targets[] = {"sparc", "sparc64", "m68k", "mips", "mipsel",
                                              "mips64", "mips64el", NULL};

    qc_flags_finish(m);
    if (qc_model_has_flag(m, "cpu-unavailable-features") &&
        qc_flags_add(m, "canonical-cpu-features", err) < 0)
        return -1;
    if (qc_target_is(m, esp_targets) && qc_flags_add(m, "esp", err) < 0)
        return -1;
    if (qc_model_has_flag(m, "blockdev-reopen") &&
        qc_model_has_flag(m, "migration-param.block-bitmap-mapping") &&
        qc_flags_add(m, "incremental-backup", err) < 0)
        return -1;
    if (qc_model_has_flag(m, "object.qapified") && qc_flags_add(m, "compat-deprecated", err) < 0)
        return -1;
    if (qc_model_version_number(m) < 5002000 && qc_flags_add(m, "enable-fips", err) < 0)
        return -1;
    qc_flags_finish(m);
    return 0;
}

int
qc_flags_derive_late(qc_model *m, const char *const *machine_types, qc_error **err)
{
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_device_prop_flags); i++) {
        const qc_type_props *t = qc_model_device_props(m, qc_device_prop_flags[i].device);
        if (qc_props_have(t, qc_device_prop_flags[i].prop) &&
            qc_flags_add(m, qc_device_prop_flags[i].flag, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_object_prop_flags); i++) {
        const qc_type_props *t = qc_model_object_props(m, qc_object_prop_flags[i].object);
        if (qc_props_have(t, qc_object_prop_flags[i].prop) &&
            qc_flags_add(m, qc_object_prop_flags[i].flag, err) < 0)
            return -1;
    }
    for (size_t i = 0; machine_types && i < QC_N_ELEMENTS(qc_machine_prop_flags); i++) {
        for (size_t f = 0; f < QC_N_ELEMENTS(qc_machine_families); f++) {
            const qc_type_props *t;
            if (strcmp(qc_machine_families[f], qc_machine_prop_flags[i].family) != 0 ||
                !machine_types[f])
                continue;
            t = qc_model_object_props(m, machine_types[f]);
            if (qc_props_have(t, qc_machine_prop_flags[i].prop) &&
                qc_flags_add(m, qc_machine_prop_flags[i].flag, err) < 0)
                return -1;
        }
    }
    /* query-sev/sgx-capabilities said "not enabled": the type exists but is unusable */
    if (!m->sev && qc_model_has_flag(m, "sev-guest")) {
        ssize_t i = qc_strlist_index(&m->flags, "sev-guest");
        free(m->flags.v[i]);
        m->flags.v[i] = m->flags.v[--m->flags.n];
    }
    qc_flags_finish(m);
    if (!m->sgx && qc_model_has_flag(m, "sgx-epc")) {
        ssize_t i = qc_strlist_index(&m->flags, "sgx-epc");
        free(m->flags.v[i]);
        m->flags.v[i] = m->flags.v[--m->flags.n];
    }
    return qc_flags_postprocess(m, err);
}

int
qc_flags_hyperv(qc_model *m, const qc_cpu_expansion *e, qc_error **err)
{
    /* QEMU's names; which of them libvirt reports, and as what, is schema/'s business */
    for (size_t i = 0; i < e->n_props; i++) {
        const qc_cpu_prop *p = &e->props[i];

        /* booleans count when true; valued ones (spinlocks, vendor-id) when present */
        if (strncmp(p->name, "hv-", 3) == 0 && (p->type != QC_PROP_BOOL || p->b) &&
            qc_strlist_add(&m->hyperv, p->name, err) < 0)
            return -1;
    }
    qc_strlist_sort(&m->hyperv);
    return 0;
}
