/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.c: the `qcaps domcaps` verb: libvirt's domainCapabilities document. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/domcaps.h"

static const char qc_usage_domcaps[] =
    "Usage: qcaps domcaps [PATH | --emulator PATH | --fixture FILE] [--arch ARCH]\n"
    "                     [--machine M] [--virttype kvm|qemu] [--format xml|json]\n"
    "                     [--firmware-dir DIR]... [--libvirt VERSION]\n"
    "\n"
    "Print libvirt's domainCapabilities document for one emulator, architecture, machine\n"
    "type and virtualization type, as 'virsh domcapabilities' would. Missing values take\n"
    "libvirt's defaults: the emulator qemu-system-<ARCH> (host arch) in $PATH, its own\n"
    "arch, libvirt's preferred machine (else QEMU's default), kvm when usable else qemu.\n"
    "Machine aliases (pc, q35, virt, pseries, s390-ccw-virtio) are accepted. The document\n"
    "is the one the newest libvirt qcaps knows (12.8) writes, unless --libvirt says\n"
    "otherwise.\n"
    "\n"
    "  -e, --emulator PATH     the qemu-system-* binary to describe (also --emulatorbin,\n"
    "                          as virsh calls it, or a PATH operand)\n"
    "  -F, --fixture FILE      replay a recorded fixture instead (reads nothing else of\n"
    "                          this host unless --firmware-dir is given)\n"
    "  -a, --arch ARCH         libvirt arch (i686, armv7l, ...; the QEMU target name for\n"
    "                          arches libvirt lacks)\n"
    "  -m, --machine M         machine type name or alias\n"
    "  -v, --virttype TYPE     kvm or qemu\n"
    "  -f, --format FORMAT     xml (default) or json (schema/README.md)\n"
    "  -L, --libvirt VERSION   write what this libvirt writes: 12.8 (default), 11.3 or 9.0\n"
    "                          (also 12, 11, 9 or latest)\n"
    "  -d, --firmware-dir DIR  read firmware descriptors from DIR instead of the default\n"
    "                          search path; repeat it, lowest priority first\n"
    "  -t, --timeout SECS      give up on the probe after SECS seconds (default 60)\n"
    QC_CACHE_OPTS_HELP
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure, including an arch, machine or\n"
    "virttype the probed emulator does not support (the message lists the valid ones).\n";

int
qc_cmd_domcaps(int argc, char **argv)
{
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *msg = NULL;
    qcaps_context *ctx = NULL;
    qcaps_error *pe = NULL;
    qc_dc_opts o;
    char *text;
    int r;

    if ((r = qc_dc_parse(argc, argv, &o, &msg)) < 0)
        return qc_cli_usage("domcaps", "%s", msg ? msg : "out of memory");
    if (r > 0) {
        fputs(qc_usage_domcaps, stdout);
        return QC_EXIT_OK;
    }
    if (!(ctx = qc_dc_context(&o, &err)))
        return err->code == QC_E_INVALID ? qc_cli_usage("domcaps", "%s", err->message)
                                         : qc_cli_fail(err);
    text = qcaps_domcaps(ctx, &o.q, strcmp(o.format, "json") == 0 ? QCAPS_FORMAT_JSON
                                                                    : QCAPS_FORMAT_XML, &pe);
    qcaps_context_free(ctx);
    if (!text)
        return qc_cli_fail_api(pe);
    r = qc_cli_print_document(text);
    free(text);
    return r;
}
