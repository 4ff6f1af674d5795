/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-devices.c: the domcaps <devices> and <features> elements (mapping §3.6, §3.7). */
#include "schema/domcaps-internal.h"

#include <stdio.h>
#include <string.h>

static bool
qc_dv_type(const qc_dc *dc, const char *type)
{
    return qc_model_has_type(dc->m, type);
}

static bool
qc_dv_flag(const qc_dc *dc, const char *flag)
{
    return qc_model_has_flag(dc->m, flag);
}

/* An element with supported='yes' and the given enums, or supported='no' when `ok` is
 * false. names[i] / enums[i] pairs are written in order. */
static int
qc_dv_element(qc_xw *x, const char *elem, bool ok, const char *const *names,
              const qc_dc_enum *enums, size_t n, qc_error **err)
{
    if (qc_xw_supported(x, elem, ok, true, err) < 0)
        return -1;
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (qc_xw_enum(x, names[i], enums[i].v, enums[i].n, err) < 0)
            return -1;
    }
    return qc_xw_end(x, err);
}

static bool
qc_dv_pseries(const qc_dc *dc)
{
    return qc_dc_machine_is(dc, "pseries*");
}

/* Machines with an IDE controller built in (libvirt qemuDomainMachineHasBuiltinIDE). Not
 * alpha's clipper: libvirt 9.0, 11.3 and 12.8 list no IDE bus for it. */
static bool
qc_dv_builtin_ide(const qc_dc *dc)
{
    return (qc_dc_x86(dc) && (qc_dc_machine_is(dc, "pc") || qc_dc_machine_is(dc, "pc-0.*") ||
                              qc_dc_machine_is(dc, "pc-1.*") ||
                              qc_dc_machine_is(dc, "pc-i440fx-*") ||
                              qc_dc_machine_is(dc, "rhel*") || qc_dc_machine_is(dc, "isapc"))) ||
           qc_dc_machine_is(dc, "g3beige") || qc_dc_machine_is(dc, "malta") ||
           qc_dc_machine_is(dc, "sun4u") || qc_dc_machine_is(dc, "mac99");
}

static void
qc_dv_virtio_models(const qc_dc *dc, qc_dc_enum *e)
{
    qc_dc_enum_add(e, "virtio");
    if (qc_dv_flag(dc, "virtio-pci-non-transitional")) {
        qc_dc_enum_add(e, "virtio-transitional");
        qc_dc_enum_add(e, "virtio-non-transitional");
    }
}

static int
qc_dv_disk(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"diskDevice", "bus", "model"};
    qc_dc_enum e[3] = {{{0}, 0}, {{0}, 0}, {{0}, 0}};
    bool ps = qc_dv_pseries(dc);

    /* libvirt 12 offers floppies only where QEMU has a floppy controller */
    bool fdc = !ps && (dc->gen < QC_LV_12_8 || qc_dv_type(dc, "isa-fdc") ||
                       qc_dv_type(dc, "sysbus-fdc") || qc_dv_type(dc, "sun-fdtwo"));

    qc_dc_enum_add(&e[0], "disk");
    qc_dc_enum_add(&e[0], "cdrom");
    if (fdc)
        qc_dc_enum_add(&e[0], "floppy");
    qc_dc_enum_add(&e[0], "lun");
    if (qc_dv_builtin_ide(dc))
        qc_dc_enum_add(&e[1], "ide");
    if (fdc)
        qc_dc_enum_add(&e[1], "fdc");
    qc_dc_enum_add(&e[1], "scsi");
    qc_dc_enum_add(&e[1], "virtio");
    if (qc_dv_type(dc, "usb-storage"))
        qc_dc_enum_add(&e[1], "usb");
    if (qc_dv_type(dc, "ich9-ahci"))
        qc_dc_enum_add(&e[1], "sata");
    if (dc->gen >= QC_LV_12_8 && qc_dv_type(dc, "nvme"))
        qc_dc_enum_add(&e[1], "nvme");
    qc_dv_virtio_models(dc, &e[2]);
    return qc_dv_element(x, "disk", true, names, e, 3, err);
}

static int
qc_dv_graphics(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"type"};
    qc_dc_enum e = {{0}, 0};

    if (qc_dv_flag(dc, "sdl"))
        qc_dc_enum_add(&e, "sdl");
    if (qc_dv_flag(dc, "vnc"))
        qc_dc_enum_add(&e, "vnc");
    if (qc_dv_flag(dc, "spice"))
        qc_dc_enum_add(&e, "spice");
    if (qc_dv_flag(dc, "egl-headless"))
        qc_dc_enum_add(&e, "egl-headless");
    if (qc_dv_flag(dc, "display-dbus"))
        qc_dc_enum_add(&e, "dbus");
    return qc_dv_element(x, "graphics", true, names, &e, 1, err);
}

static int
qc_dv_video(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"modelType"};
    static const struct {
        const char *type, *model;
    } before_none[] = {
        {"VGA", "vga"}, {"cirrus-vga", "cirrus"}, {"vmware-svga", "vmvga"}, {"qxl", "qxl"},
    };
    qc_dc_enum e = {{0}, 0};

    for (size_t i = 0; i < QC_N_ELEMENTS(before_none); i++) {
        if (qc_dv_type(dc, before_none[i].type))
            qc_dc_enum_add(&e, before_none[i].model);
    }
    if (qc_dv_flag(dc, "virtio-gpu"))
        qc_dc_enum_add(&e, "virtio");
    qc_dc_enum_add(&e, "none");
    if (qc_dv_type(dc, "bochs-display"))
        qc_dc_enum_add(&e, "bochs");
    if (qc_dv_type(dc, "ramfb"))
        qc_dc_enum_add(&e, "ramfb");
    return qc_dv_element(x, "video", true, names, &e, 1, err);
}

static bool
qc_dv_has_usb(const qc_dc *dc)
{
    static const char *const ctrl[] = {
        "piix3-usb-uhci", "piix4-usb-uhci", "usb-ehci", "ich9-usb-ehci1", "vt82c686b-usb-uhci",
        "pci-ohci", "nec-usb-xhci", "qemu-xhci",
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(ctrl); i++) {
        if (qc_dv_type(dc, ctrl[i]))
            return true;
    }
    return false;
}

static int
qc_dv_hostdev(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"mode", "startupPolicy", "subsysType", "capsType",
                                        "pciBackend", "iommufd"};
    qc_dc_enum e[6];

    memset(e, 0, sizeof(e));
    qc_dc_enum_add(&e[0], "subsystem");
    qc_dc_enum_add(&e[1], "default");
    qc_dc_enum_add(&e[1], "mandatory");
    qc_dc_enum_add(&e[1], "requisite");
    qc_dc_enum_add(&e[1], "optional");
    if (qc_dv_has_usb(dc))
        qc_dc_enum_add(&e[2], "usb");
    qc_dc_enum_add(&e[2], "pci");
    qc_dc_enum_add(&e[2], "scsi");
    if (dc->m->host.vfio && qc_dv_type(dc, "vfio-pci")) {
        qc_dc_enum_add(&e[4], "default");
        qc_dc_enum_add(&e[4], "vfio");
    }
    /* libvirt 12: VFIO through the kernel's iommufd */
    if (dc->m->host.iommufd && dc->m->host.vfio && qc_dv_type(dc, "iommufd"))
        qc_dc_enum_add(&e[5], "yes");
    qc_dc_enum_add(&e[5], "no");
    return qc_dv_element(x, "hostdev", true, names, e, dc->gen >= QC_LV_12_8 ? 6 : 5, err);
}

static int
qc_dv_rng(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"model", "backendModel"};
    qc_dc_enum e[2] = {{{0}, 0}, {{0}, 0}};

    if (qc_dv_flag(dc, "virtio-rng"))
        qc_dv_virtio_models(dc, &e[0]);
    if (qc_dv_type(dc, "rng-random"))
        qc_dc_enum_add(&e[1], "random");
    if (qc_dv_type(dc, "rng-egd"))
        qc_dc_enum_add(&e[1], "egd");
    if (qc_dv_type(dc, "rng-builtin"))
        qc_dc_enum_add(&e[1], "builtin");
    return qc_dv_element(x, "rng", true, names, e, 2, err);
}

static int
qc_dv_filesystem(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"driverType"};
    qc_dc_enum e = {{0}, 0};

    qc_dc_enum_add(&e, "path");
    if (dc->gen < QC_LV_12_8) /* libvirt 12 dropped the 9p 'handle' driver */
        qc_dc_enum_add(&e, "handle");
    if (qc_dv_type(dc, "vhost-user-fs-device"))
        qc_dc_enum_add(&e, "virtiofs");
    return qc_dv_element(x, "filesystem", true, names, &e, 1, err);
}

static int
qc_dv_tpm(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"model", "backendModel", "backendVersion"};
    const qc_model *m = dc->m;
    qc_dc_enum e[3] = {{{0}, 0}, {{0}, 0}, {{0}, 0}};
    bool emu = m->host.swtpm && qc_strlist_contains(&m->tpm_types, "emulator");

    if (qc_strlist_contains(&m->tpm_models, "tpm-tis"))
        qc_dc_enum_add(&e[0], "tpm-tis");
    if (qc_strlist_contains(&m->tpm_models, "tpm-crb"))
        qc_dc_enum_add(&e[0], "tpm-crb");
    if (qc_strlist_contains(&m->tpm_models, "tpm-spapr"))
        qc_dc_enum_add(&e[0], "tpm-spapr");
    if (qc_dv_type(dc, "spapr-tpm-proxy"))
        qc_dc_enum_add(&e[0], "spapr-tpm-proxy");
    if (qc_strlist_contains(&m->tpm_types, "passthrough"))
        qc_dc_enum_add(&e[1], "passthrough");
    if (emu) {
        qc_dc_enum_add(&e[1], "emulator");
        qc_dc_enum_add(&e[1], "external");
    }
    if (qc_strlist_contains(&m->host.swtpm_features, "tpm-1.2"))
        qc_dc_enum_add(&e[2], "1.2");
    if (qc_strlist_contains(&m->host.swtpm_features, "tpm-2.0"))
        qc_dc_enum_add(&e[2], "2.0");
    /* backendVersion is only reported when swtpm is installed */
    return qc_dv_element(x, "tpm", e[0].n > 0, names, e, m->host.swtpm ? 3 : 2, err);
}

static int
qc_dv_redirdev(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"bus"};
    qc_dc_enum e = {{0}, 0};

    qc_dc_enum_add(&e, "usb");
    return qc_dv_element(x, "redirdev", qc_dv_type(dc, "usb-redir"), names, &e, 1, err);
}

static int
qc_dv_channel(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"type"};
    qc_dc_enum e = {{0}, 0};

    qc_dc_enum_add(&e, "pty");
    qc_dc_enum_add(&e, "unix");
    if (qc_dv_flag(dc, "spice"))
        qc_dc_enum_add(&e, "spicevmc");
    return qc_dv_element(x, "channel", true, names, &e, 1, err);
}

/* [libvirt 11] */
static int
qc_dv_crypto(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"model", "type", "backendModel"};
    qc_dc_enum e[3] = {{{0}, 0}, {{0}, 0}, {{0}, 0}};

    /* supported everywhere; the virtio model only where QEMU has virtio-crypto */
    if (qc_dv_flag(dc, "virtio-crypto"))
        qc_dc_enum_add(&e[0], "virtio");
    qc_dc_enum_add(&e[1], "qemu");
    if (qc_dv_type(dc, "cryptodev-backend-builtin"))
        qc_dc_enum_add(&e[2], "builtin");
    if (qc_dv_type(dc, "cryptodev-backend-lkcf"))
        qc_dc_enum_add(&e[2], "lkcf");
    return qc_dv_element(x, "crypto", true, names, e, 3, err);
}

/* [libvirt 11] */
static int
qc_dv_interface(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"backendType"};
    qc_dc_enum e = {{0}, 0};

    qc_dc_enum_add(&e, "default");
    if (qc_dv_flag(dc, "netdev.stream"))
        qc_dc_enum_add(&e, "passt");
    return qc_dv_element(x, "interface", true, names, &e, 1, err);
}

/* [libvirt 11] */
static int
qc_dv_panic(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"model"};
    qc_dc_enum e = {{0}, 0};

    if (qc_dc_x86(dc) && qc_dv_type(dc, "pvpanic"))
        qc_dc_enum_add(&e, "isa");
    if (qc_dc_x86(dc))
        qc_dc_enum_add(&e, "hyperv");
    if (qc_dv_pseries(dc))
        qc_dc_enum_add(&e, "pseries");
    if (qc_dv_type(dc, "pvpanic-pci"))
        qc_dc_enum_add(&e, "pvpanic");
    if (qc_dc_is_target(dc, "s390x", NULL))
        qc_dc_enum_add(&e, "s390");
    return qc_dv_element(x, "panic", e.n > 0, names, &e, 1, err);
}

/* [libvirt 12] chardev backends usable for a <console>. */
static int
qc_dv_console(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const names[] = {"type"};
    static const char *const base[] = {"null", "vc", "pty", "dev", "file", "pipe",
                                       "stdio", "udp", "tcp", "unix"};
    qc_dc_enum e = {{0}, 0};

    for (size_t i = 0; i < QC_N_ELEMENTS(base); i++)
        qc_dc_enum_add(&e, base[i]);
    if (qc_dv_flag(dc, "spice")) {
        qc_dc_enum_add(&e, "spicevmc");
        qc_dc_enum_add(&e, "spiceport");
    }
    if (qc_dv_type(dc, "chardev-qemu-vdagent"))
        qc_dc_enum_add(&e, "qemu-vdagent");
    if (qc_dv_type(dc, "chardev-dbus"))
        qc_dc_enum_add(&e, "dbus");
    return qc_dv_element(x, "console", true, names, &e, 1, err);
}

int
qc_dc_format_devices(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "devices", err) < 0 || qc_dv_disk(dc, x, err) < 0 ||
        qc_dv_graphics(dc, x, err) < 0 || qc_dv_video(dc, x, err) < 0 ||
        qc_dv_hostdev(dc, x, err) < 0 || qc_dv_rng(dc, x, err) < 0 ||
        qc_dv_filesystem(dc, x, err) < 0 || qc_dv_tpm(dc, x, err) < 0 ||
        qc_dv_redirdev(dc, x, err) < 0 || qc_dv_channel(dc, x, err) < 0)
        return -1;
    if (dc->gen >= QC_LV_11_3 &&
        (qc_dv_crypto(dc, x, err) < 0 || qc_dv_interface(dc, x, err) < 0 ||
         qc_dv_panic(dc, x, err) < 0))
        return -1;
    if (dc->gen >= QC_LV_12_8 && qc_dv_console(dc, x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* ---- features ---------------------------------------------------------------------------- */

static int
qc_ft_gic(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    char buf[2][8];
    const char *vals[2];
    size_t n = 0;
    bool ok = qc_dc_is_target(dc, "arm", "aarch64") &&
              (qc_dc_machine_is(dc, "virt") || qc_dc_machine_is(dc, "virt-*"));

    for (size_t i = 0; ok && i < dc->m->n_gic && n < 2; i++) {
        const qc_gic_cap *g = &dc->m->gic[i];
        if (!(dc->accel == QC_ACCEL_KVM ? g->kernel : g->emulated))
            continue;
        snprintf(buf[n], sizeof(buf[n]), "%d", g->version);
        vals[n] = buf[n];
        n++;
    }
    if (n == 2 && strcmp(vals[0], vals[1]) > 0) {
        const char *t = vals[0];
        vals[0] = vals[1];
        vals[1] = t;
    }
    ok = ok && n > 0;
    if (qc_xw_supported(x, "gic", ok, true, err) < 0)
        return -1;
    if (!ok)
        return 0;
    if (qc_xw_enum(x, "version", vals, n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_ft_sev(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    const qc_sev_caps *s = dc->m->sev;
    char buf[32];

    if (qc_xw_supported(x, "sev", s != NULL, true, err) < 0)
        return -1;
    if (!s)
        return 0;
    snprintf(buf, sizeof(buf), "%d", s->cbitpos);
    if (qc_xw_text_elem(x, "cbitpos", buf, err) < 0)
        return -1;
    snprintf(buf, sizeof(buf), "%d", s->reduced_phys_bits);
    if (qc_xw_text_elem(x, "reducedPhysBits", buf, err) < 0 ||
        (s->cpu0_id && qc_xw_text_elem(x, "cpu0Id", s->cpu0_id, err) < 0))
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_ft_sgx(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    const qc_sgx_caps *s = dc->m->sgx;
    char buf[32];
    uint64_t total = 0;

    if (qc_xw_supported(x, "sgx", s != NULL, true, err) < 0)
        return -1;
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n_sections; i++)
        total += s->sections[i].size;
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long) (total / 1024));
    if (qc_xw_text_elem(x, "flc", s->flc ? "yes" : "no", err) < 0 ||
        qc_xw_text_elem(x, "sgx1", s->sgx1 ? "yes" : "no", err) < 0 ||
        qc_xw_text_elem(x, "sgx2", s->sgx2 ? "yes" : "no", err) < 0 ||
        qc_xw_start(x, "section_size", err) < 0 || qc_xw_attr(x, "unit", "KiB", err) < 0 ||
        xmlTextWriterWriteString(x->w, BAD_CAST buf) < 0 || qc_xw_end(x, err) < 0 ||
        qc_xw_start(x, "sections", err) < 0)
        return -1;
    for (size_t i = 0; i < s->n_sections; i++) {
        char node[16], size[32];
        snprintf(node, sizeof(node), "%d", s->sections[i].node);
        snprintf(size, sizeof(size), "%llu",
                 (unsigned long long) (s->sections[i].size / 1024));
        if (qc_xw_start(x, "section", err) < 0 || qc_xw_attr(x, "node", node, err) < 0 ||
            qc_xw_attr(x, "size", size, err) < 0 || qc_xw_attr(x, "unit", "KiB", err) < 0 ||
            qc_xw_end(x, err) < 0)
            return -1;
    }
    if (qc_xw_end(x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* libvirt's Hyper-V enum order (mapping §3.2). */
static int
qc_ft_hyperv(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const order[] = {
        "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset",
        "vendor_id", "frequencies", "reenlightenment", "tlbflush", "ipi", "evmcs", "avic",
        "emsr_bitmap", "xmm_input",
    };
    qc_dc_enum e = {{0}, 0};

    if (!dc->m->hyperv.n)
        return 0; /* printed only when the binary has Hyper-V caps */
    for (size_t i = 0; i < QC_N_ELEMENTS(order); i++) {
        char qname[64]; /* QEMU spells them "hv-" + name with '_' as '-' */

        snprintf(qname, sizeof(qname), "hv-%s", order[i]);
        for (char *c = qname; *c; c++)
            *c = *c == '_' ? '-' : *c;
        if (qc_strlist_contains(&dc->m->hyperv, qname))
            qc_dc_enum_add(&e, order[i]);
    }
    if (qc_xw_supported(x, "hyperv", true, true, err) < 0 ||
        qc_xw_enum(x, "features", e.v, e.n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* libvirt 12: Intel TDX guests: QEMU's tdx-guest object on a host whose KVM enables TDX. */
static bool
qc_ft_tdx_ok(const qc_dc *dc)
{
    return qc_dc_x86(dc) && dc->accel == QC_ACCEL_KVM && dc->m->host.tdx &&
           qc_dv_type(dc, "tdx-guest");
}

/* launchSecurity (libvirt 11): the confidential-guest types this binary and host support. */
static int
qc_ft_launch_security(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    qc_dc_enum e = {{0}, 0};

    if (dc->m->sev)
        qc_dc_enum_add(&e, "sev");
    if (dc->m->host.secure_guest && qc_dc_is_target(dc, "s390x", NULL) &&
        qc_dv_type(dc, "s390-pv-guest"))
        qc_dc_enum_add(&e, "s390-pv");
    if (dc->gen >= QC_LV_12_8 && qc_ft_tdx_ok(dc))
        qc_dc_enum_add(&e, "tdx");
    if (qc_xw_supported(x, "launchSecurity", e.n > 0, true, err) < 0)
        return -1;
    if (!e.n)
        return 0;
    if (qc_xw_enum(x, "sectype", e.v, e.n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_ft_simple(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    bool s390 = qc_dc_is_target(dc, "s390x", NULL);
    bool pv = s390 && qc_dv_flag(dc, "machine.confidential-guest-support") &&
              qc_dv_type(dc, "s390-pv-guest") && dc->m->host.secure_guest;
    bool later = dc->gen >= QC_LV_11_3;
    bool ps2 = qc_dc_x86(dc) && qc_dv_type(dc, "i8042") &&
               (qc_dc_machine_is(dc, "pc*") || qc_dc_machine_is(dc, "q35"));

    if (qc_xw_supported(x, "vmcoreinfo", qc_dv_type(dc, "vmcoreinfo"), false, err) < 0 ||
        qc_xw_supported(x, "genid", qc_dv_type(dc, "vmgenid"), false, err) < 0 ||
        qc_xw_supported(x, "backingStoreInput", true, false, err) < 0 ||
        qc_xw_supported(x, "backup", qc_dv_flag(dc, "incremental-backup"), false, err) < 0 ||
        (later && qc_xw_supported(x, "async-teardown",
                                  qc_dv_flag(dc, "run-with.async-teardown"), false, err) < 0) ||
        /* libvirt 12 says it for every arch, 9.0 and 11 for s390x only */
        ((s390 || dc->gen >= QC_LV_12_8) && qc_xw_supported(x, "s390-pv", pv, false, err) < 0) ||
        (later && qc_xw_supported(x, "ps2", ps2, false, err) < 0) ||
        (dc->gen >= QC_LV_12_8 && qc_xw_supported(x, "tdx", qc_ft_tdx_ok(dc), false, err) < 0))
        return -1;
    return 0;
}

int
qc_dc_format_features(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "features", err) < 0 || qc_ft_gic(dc, x, err) < 0 ||
        qc_ft_simple(dc, x, err) < 0 || qc_ft_sev(dc, x, err) < 0 || qc_ft_sgx(dc, x, err) < 0 ||
        qc_ft_hyperv(dc, x, err) < 0 ||
        (dc->gen >= QC_LV_11_3 && qc_ft_launch_security(dc, x, err) < 0))
        return -1;
    return qc_xw_end(x, err);
}
