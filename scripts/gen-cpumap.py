#!/usr/bin/env python3
# gen-cpumap.py: writes schema/cpumap-x86.inc, the part of each libvirt generation's x86
# CPU map that decides which model libvirt names for a CPU and how it splits the CPU's
# features between model and list (host-model in domcaps, the host CPU in capabilities):
# the feature names the map knows (with QEMU's spellings, <alias source='qemu'>), and the
# models in the map's order, each with its vendor, whether it may name a host and a guest
# CPU (<decode>), its family/model/stepping signatures, the features it has dropped
# (removed='yes') and the features it has (a bit set over the feature names, without
# those marked added='yes'; a model naming another takes that one's features first).
#   scripts/gen-cpumap.py [OUTPUT]   (root; reads the chroots of scripts/chroot.sh)
# Default OUTPUT: schema/cpumap-x86.inc beside this script. Each generation's map is read
# from /usr/share/libvirt/cpu_map of its suite's chroot (scripts/chroot.sh ensure SUITE).
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

GENERATIONS = [("9_0", "bookworm"), ("11_3", "trixie"), ("12_8", "forky")]
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
chroots = os.environ.get("QCAPS_CHROOT_DIR", "/var/tmp/qcaps-chroots")


def libvirt_version(root):
    out = subprocess.run(["dpkg-query", "--admindir", root + "/var/lib/dpkg", "-W",
                          "-f", "${Version}", "libvirt-daemon"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("-")[0]


def steppings(text):
    """'5-7' or '3' or '0-3,5' -> bit mask over steppings 0-15."""
    mask = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        for s in range(int(lo), int(hi or lo) + 1):
            mask |= 1 << s
    return mask


def read_map(suite):
    base = os.path.join(chroots, suite, "usr/share/libvirt/cpu_map")
    if not os.path.isfile(os.path.join(base, "index.xml")):
        sys.exit(f"gen-cpumap: no libvirt CPU map in the {suite} chroot "
                 f"(scripts/chroot.sh ensure {suite})")
    index = ET.parse(os.path.join(base, "index.xml")).getroot()
    arch = next(a for a in index.iter("arch") if a.get("name") == "x86")
    features, aliases = [], []
    models = []
    by_name = {}
    for inc in arch.iter("include"):
        root = ET.parse(os.path.join(base, inc.get("filename"))).getroot()
        for f in root.findall("feature"):
            features.append(f.get("name"))
            aliases.extend((a.get("name"), f.get("name")) for a in f.findall("alias")
                           if a.get("source") == "qemu")
    index_of = {n: i for i, n in enumerate(features)}
    for inc in arch.iter("include"):
        root = ET.parse(os.path.join(base, inc.get("filename"))).getroot()
        for m in root.findall("model"):
            parent = m.find("model")
            p = by_name[parent.get("name")] if parent is not None else None
            vendor = m.find("vendor")
            decode = m.find("decode")
            sigs = [(int(s.get("family")), int(s.get("model")),
                     steppings(s.get("stepping")) if s.get("stepping") else 0)
                    for s in m.findall("signature")]
            removed = [f.get("name") for f in m.findall("feature") if f.get("removed") == "yes"]
            has = set(p["has"]) if p else set()
            # a feature the map marks added='yes' (the vmx-* ones given to older models
            # later) is no part of the model when libvirt decodes a CPU: 11.3 and 12.8
            # name an AMD host's CPU kvm64-v1, which has vmx-* features added
            has.update(index_of[f.get("name")] for f in m.findall("feature")
                       if f.get("removed") != "yes" and f.get("added") != "yes")
            entry = {
                "name": m.get("name"),
                # libvirt takes what a model does not say itself from the model it names
                "vendor": vendor.get("name") if vendor is not None else (p and p["vendor"]),
                "host": decode is None or decode.get("host") == "on",
                "guest": decode is None or decode.get("guest") == "on",
                "sigs": sigs if sigs else (p["sigs"] if p else []),
                "removed": removed if removed or not p else p["removed"],
                "has": has,
            }
            models.append(entry)
            by_name[entry["name"]] = entry
    return features, aliases, models


def c_strings(names):
    out, line = [], "   "
    for n in names:
        item = f' "{n}",'
        if len(line) + len(item) > 92:
            out.append(line)
            line = "   "
        line += item
    out.append(line)
    return "\n".join(out) + "\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "schema", "cpumap-x86.inc")
    sigs, removed, tables, sources = [], [], [], []
    for gen, suite in GENERATIONS:
        rows, bits = [], []
        features, aliases, models = read_map(suite)
        words = (len(features) + 63) // 64
        for m in models:
            for w in range(words):
                bits.append(sum(1 << (i - 64 * w) for i in m["has"] if 64 * w <= i < 64 * (w + 1)))
            first_sig = len(sigs)
            sigs.extend(m["sigs"])
            first_rem = len(removed)
            removed.extend(m["removed"])
            vendor = f'"{m["vendor"]}"' if m["vendor"] else "NULL"
            rows.append(f'    {{"{m["name"]}", {vendor}, {str(m["host"]).lower()}, '
                        f'{str(m["guest"]).lower()}, {first_sig}, {len(m["sigs"])}, '
                        f'{first_rem}, {len(m["removed"])}}},')
        tables.append((gen, rows, features, aliases, bits, words))
        sources.append(f"libvirt {libvirt_version(os.path.join(chroots, suite))} ({suite})")
    with open(out + ".tmp", "w") as f:
        f.write("/* SPDX-License-Identifier: LGPL-2.1-or-later */\n")
        f.write("/* cpumap-x86.inc: generated by scripts/gen-cpumap.py from the x86 CPU maps of\n"
                f" * {', '.join(sources)}.\n * Do not edit; included by cpumap.c. */\n\n")
        f.write("static const qc_lv_x86_sig qc_lv_x86_sigs[] = {\n")
        for fam, mod, step in sigs:
            f.write(f"    {{{fam}, {mod}, 0x{step:04x}}},\n")
        f.write("};\n\nstatic const char *const qc_lv_x86_removed_names[] = {\n")
        for name in removed:
            f.write(f'    "{name}",\n')
        if not removed:
            f.write("    NULL,\n")
        f.write("};\n")
        for gen, rows, features, aliases, bits, words in tables:
            v = gen.replace('_', '.')
            f.write(f"\n/* libvirt {v}: the feature names, in the map's order */\n")
            f.write(f"static const char *const qc_lv_x86_features_{gen}[] = {{\n")
            f.write(c_strings(features) + "};\n")
            f.write(f"\n/* libvirt {v}: the feature indices in name order (strcmp), for "
                    "bsearch */\n")
            f.write(f"static const unsigned short qc_lv_x86_byname_{gen}[] = {{\n")
            order = sorted(range(len(features)), key=lambda i: features[i].encode())
            for i in range(0, len(order), 16):
                f.write("    " + " ".join(f"{j}," for j in order[i:i + 16]) + "\n")
            f.write("};\n")
            f.write(f"\n/* libvirt {v}: QEMU's spelling -> libvirt's, by QEMU's (strcmp) */\n")
            f.write(f"static const qc_lv_x86_alias qc_lv_x86_aliases_{gen}[] = {{\n")
            f.write("".join(f'    {{"{a}", "{n}"}},\n'
                            for a, n in sorted(aliases, key=lambda x: x[0].encode())) + "};\n")
            f.write(f"\n/* libvirt {v}: the models, in the map's order */\n")
            f.write(f"static const qc_lv_x86_model qc_lv_x86_models_{gen}[] = {{\n")
            f.write("\n".join(rows) + "\n};\n")
            f.write(f"\n/* libvirt {v}: model i has feature j where bit j % 64 of word "
                    f"i * {words} + j / 64 is set */\n")
            f.write(f"static const uint64_t qc_lv_x86_bits_{gen}[] = {{\n")
            for i in range(0, len(bits), 4):
                f.write("    " + " ".join(f"0x{b:016x}u," for b in bits[i:i + 4]) + "\n")
            f.write("};\n")
            f.write(f"\nstatic const qc_lv_x86_cpumap qc_lv_x86_cpumap_{gen} = {{\n"
                    f"    qc_lv_x86_models_{gen}, QC_N_ELEMENTS(qc_lv_x86_models_{gen}),\n"
                    f"    qc_lv_x86_features_{gen}, QC_N_ELEMENTS(qc_lv_x86_features_{gen}),\n"
                    f"    qc_lv_x86_byname_{gen},\n"
                    f"    qc_lv_x86_aliases_{gen}, QC_N_ELEMENTS(qc_lv_x86_aliases_{gen}),\n"
                    f"    qc_lv_x86_bits_{gen}, {words},\n}};\n")
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
