#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# validate-json.py: the model JSON validates against schema/model.schema.json: every
# committed golden (fixtures/expected/<set>/*.json), fresh `qcaps probe --fixture F
# --format json` output (one fixture of each generation, the libvirt-layout test data),
# the guests view and full model of cache entries `qcaps warm` writes (fake QEMUs
# replaying fixtures), the models of a `qcaps export` of a fixture set, and a guests view
# derived from a golden by model/README.md's rules (one with kvm, whatever this host has).
# Broken documents must be rejected, and the C reader (through `qcaps diff`, which reads
# model JSON) must agree with the schema on each of them. Exit 77 (skipped) without
# python3-jsonschema (scripts/setup-deps.sh --extra installs it).
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)

root = os.environ["QC_SOURCE_ROOT"]
qcaps = os.environ["QC_QCAPS"]
fake_qemu = os.environ["QC_FAKE_QEMU"]
with open(os.path.join(root, "schema", "model.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
SETS = ("bookworm", "trixie", "forky")
failures = 0
checked = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg)


def errors(doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.path))


def check(name, doc):
    global checked
    checked += 1
    errs = errors(doc)
    for e in errs[:5]:
        fail(f"{name}: {'/'.join(map(str, e.path))}: {e.message[:300]}")
    if not errs:
        print(f"ok {name}")


def fixture(set_, arch):
    found = glob.glob(os.path.join(root, "fixtures", "qmp", set_, f"caps_*_{arch}.replies"))
    if len(found) != 1:
        raise SystemExit(f"no single {arch} fixture in {set_}: {found}")
    return found[0]


def probe(path):
    r = subprocess.run([qcaps, "probe", "--fixture", path, "--format", "json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"qcaps probe --fixture {path}: exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)


def reader(tmp, doc):
    """The C reader's verdict on doc: None if it reads it, else its error message.
    `qcaps diff` reads a model file with qc_model_from_string() and refuses a guests view
    only after reading it."""
    path = os.path.join(tmp, "doc.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    r = subprocess.run([qcaps, "diff", path, path], capture_output=True, text=True)
    if r.returncode == 0 or "a guests view of a model" in r.stderr:
        return None
    if r.returncode == 2 and f"{path}: model" in r.stderr:
        return r.stderr.strip()
    raise SystemExit(f"qcaps diff {path}: exit {r.returncode}: {r.stderr}")


def guests_of(full):
    """The guests view of a full document, by model/README.md "Views"."""
    g = {"format-version": full["format-version"], "view": "guests"}
    for k in ("emulator", "version", "target", "host", "kvm", "flags"):
        g[k] = full[k]
    keep_cpu = full["kvm"] and "kvm" in full["accelerators"]
    g["accelerators"] = {}
    for name, ac in full["accelerators"].items():
        out = {"machines": [{k: m[k] for k in ("name", "alias", "is-default", "cpu-max",
                                                "deprecated")} for m in ac["machines"]]}
        if name == "kvm" and keep_cpu:
            defs = ac["cpu-definitions"]
            out["cpu-definitions"] = None if defs is None else [
                {"name": d["name"], "alias-of": d["alias-of"]} for d in defs]
            hc = ac["host-cpu"]
            if hc is not None:
                hc = dict(hc, props=[{k: p[k] for k in ("name", "type", "value")}
                                     for p in hc["props"] if p["type"] == "bool"])
            out["host-cpu"] = hc
        g["accelerators"][name] = out
    if keep_cpu:
        g["cpu-models"] = full["cpu-models"]
    return g


def cache_entries(tmp):
    """(guests view, full model) of each entry `qcaps warm` writes for fake QEMUs replaying
    one fixture of each generation."""
    emus = []
    for set_, arch in (("bookworm", "x86_64"), ("trixie", "aarch64"), ("forky", "x86_64")):
        d = os.path.join(tmp, "bin", set_)
        os.makedirs(d)
        emu = os.path.join(d, "qemu-system-" + arch)
        with open(emu, "w") as f:
            f.write(f"#!/bin/sh\nexec '{fake_qemu}' --fake-mode 'replay:{fixture(set_, arch)}'"
                    ' "$@"\n')
        os.chmod(emu, 0o755)
        emus.append(emu)
    cache = os.path.join(tmp, "cache")
    r = subprocess.run([qcaps, "warm", "--cache-dir", cache, *emus], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"qcaps warm: exit {r.returncode}: {r.stdout}{r.stderr}")
    entries = sorted(glob.glob(os.path.join(cache, "*.qcache")))
    if len(entries) != len(emus):
        raise SystemExit(f"qcaps warm wrote {entries}, not {len(emus)} entries")
    for path in entries:
        # header, guests view, full model: one compact JSON line each (cache/cache-internal.h)
        with open(path) as f:
            lines = f.read().split("\n")
        if "qcaps-cache" not in json.loads(lines[0]):
            raise SystemExit(f"{path}: no cache entry header")
        yield os.path.basename(path), json.loads(lines[1]), json.loads(lines[2])


# ---- the documents qcaps writes -----------------------------------------------------------
goldens = []
for set_ in SETS:
    paths = sorted(glob.glob(os.path.join(root, "fixtures", "expected", set_, "*.json")))
    if not paths:
        fail(f"no goldens in fixtures/expected/{set_}")
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        goldens.append(doc)
        check(f"{set_}/{os.path.basename(path)}", doc)

for set_ in SETS:
    check(f"probe {set_} x86_64", probe(fixture(set_, "x86_64")))
for name in ("libvirt-hppa", "libvirt-newer-target", "qcaps-x86_64"):
    check(f"probe tests/probe/data/{name}", probe(os.path.join(root, "tests", "probe", "data",
                                                               name + ".replies")))

forky = next(d for d in goldens if d["target"] == "x86_64" and d["version"]["major"] == 11
             and d["emulator"].endswith("/qemu-system-x86_64"))
derived = guests_of(forky)

with tempfile.TemporaryDirectory() as tmp:
    views = 0
    for name, guests, full in cache_entries(tmp):
        if guests.get("view") != "guests" or "view" in full:
            fail(f"{name}: line 2 is not a guests view or line 3 not a full model")
        check(f"cache {name} guests view (kvm {str(guests['kvm']).lower()})", guests)
        check(f"cache {name} full model", full)
        views += 1
    out = os.path.join(tmp, "bookworm.export")
    subprocess.run([qcaps, "export", "--fixture-dir", os.path.join(root, "fixtures", "qmp",
                                                                   "bookworm"),
                    "--host-facts", os.path.join(root, "fixtures", "host", "bookworm_x86_64.json"),
                    "--output", out], check=True, capture_output=True)
    with open(out) as f:
        models = json.load(f)["models"]
    if not models:
        fail("qcaps export wrote no models")
    for m in models:
        check(f"export bookworm {m['emulator']}", m)
    check("guests view derived from forky x86_64 (kvm true)", derived)
    if reader(tmp, derived) is not None:
        fail(f"the reader refuses the derived guests view: {reader(tmp, derived)}")

    # ---- broken documents: rejected by the schema and by the reader; a few good ones --------
    def mutate(base, fn):
        doc = copy.deepcopy(base)
        fn(doc)
        return doc

    def kvm_ac(d):
        return d["accelerators"]["kvm"]

    def first_bool_prop(d):
        return next(p for p in kvm_ac(d)["host-cpu"]["props"] if p["type"] == "bool")

    def first_device(d):
        return next(iter(d["device-properties"]))

    def setp(path, value):
        def fn(d):
            *parents, last = path
            for k in parents:
                d = d[k]
            d[last] = value
        return fn

    def delp(path):
        def fn(d):
            *parents, last = path
            for k in parents:
                d = d[k]
            del d[last]
        return fn

    bad = [
        ("full", "format-version 2", setp(["format-version"], 2)),
        ("full", "version.major a string", setp(["version", "major"], "11")),
        ("full", "kvm an integer", setp(["kvm"], 1)),
        ("full", "flags a string", setp(["flags"], "kvm")),
        ("full", "qom-types deleted", delp(["qom-types"])),
        ("full", "cpu-models deleted", delp(["cpu-models"])),
        ("full", "view unknown", setp(["view"], "partial")),
        ("full", "host.cpu-phys-bits null", setp(["host", "cpu-phys-bits"], None)),
        ("full", "host.firmware[0].targets an object",
         setp(["host", "firmware", 0, "targets"], {})),
        ("full", "machine name null",
         setp(["accelerators", "tcg", "machines", 0, "name"], None)),
        ("full", "machine cpu-max beyond int32",
         setp(["accelerators", "tcg", "machines", 0, "cpu-max"], 2 ** 31)),
        ("full", "machine acpi deleted", delp(["accelerators", "kvm", "machines", 0, "acpi"])),
        ("full", "tcg host-cpu deleted", delp(["accelerators", "tcg", "host-cpu"])),
        ("full", "cpu-definitions[0].usable a string",
         setp(["accelerators", "kvm", "cpu-definitions", 0, "usable"], "yes")),
        ("full", "cpu-definitions[0].blockers deleted",
         delp(["accelerators", "kvm", "cpu-definitions", 0, "blockers"])),
        ("full", "bool host-cpu prop valued 1", lambda d: first_bool_prop(d).update(value=1)),
        ("full", "host-cpu prop type float", lambda d: first_bool_prop(d).update(type="float")),
        ("full", "host-cpu prop migratable deleted",
         lambda d: first_bool_prop(d).pop("migratable")),
        ("full", "device-properties value a string",
         lambda d: d["device-properties"].update({first_device(d): "x"})),
        ("full", "device-properties name a number",
         lambda d: d["device-properties"].update({first_device(d): [1]})),
        ("full", "command-line-options value null",
         lambda d: d["command-line-options"].update(machine=None)),
        ("full", "tpm.models deleted", delp(["tpm", "models"])),
        ("full", "gic an object", setp(["gic"], {})),
        ("full", "sev a boolean", setp(["sev"], False)),
        ("full", "sgx section size a string",
         setp(["sgx"], {"sgx1": True, "sgx2": False, "flc": True,
                        "sections": [{"node": 0, "size": "1M"}]})),
        ("full", "cpu-models[0].features of numbers",
         setp(["cpu-models", 0, "features"], [1])),
        ("guests", "format-version 2", setp(["format-version"], 2)),
        ("guests", "machine cpu-max deleted",
         delp(["accelerators", "kvm", "machines", 0, "cpu-max"])),
        ("guests", "cpu-models deleted (kvm with a KVM pass)", delp(["cpu-models"])),
        ("guests", "KVM host-cpu deleted (kvm with a KVM pass)",
         delp(["accelerators", "kvm", "host-cpu"])),
        ("guests", "KVM cpu-definitions a string",
         setp(["accelerators", "kvm", "cpu-definitions"], "max")),
        ("guests", "host deleted", delp(["host"])),
        ("guests", "dropped commands present, a string", setp(["commands"], "quit")),
    ]
    good = [
        ("full", "unknown members added",
         lambda d: (d.update({"later-member": {"x": 1}}), d["host"].update({"later": 1}),
                    kvm_ac(d)["machines"][0].update({"later": "x"}))),
        ("full", "view full", setp(["view"], "full")),
        ("full", "sev and sgx objects",
         lambda d: d.update(sev={"cbitpos": 47, "reduced-phys-bits": 1, "pdh": None,
                                 "cert-chain": "x", "cpu0-id": None},
                            sgx={"sgx1": True, "sgx2": False, "flc": True,
                                 "sections": [{"node": 0, "size": 2 ** 33}]})),
        ("guests", "dropped commands present, a list", setp(["commands"], ["quit"])),
        ("guests", "kvm false: no CPU facts needed",
         lambda d: (d.update(kvm=False), d.pop("cpu-models"),
                    kvm_ac(d).pop("host-cpu"), kvm_ac(d).pop("cpu-definitions"))),
    ]
    bases = {"full": forky, "guests": derived}
    for view, name, fn in bad:
        doc = mutate(bases[view], fn)
        checked += 1
        if not errors(doc):
            fail(f"{view}: {name}: the schema accepts it")
        elif reader(tmp, doc) is None:
            fail(f"{view}: {name}: the schema rejects it, the reader reads it")
        else:
            print(f"ok {view}: {name}: rejected")
    for view, name, fn in good:
        doc = mutate(bases[view], fn)
        check(f"{view}: {name}", doc)
        if reader(tmp, doc) is not None:
            fail(f"{view}: {name}: the reader refuses it: {reader(tmp, doc)}")

print(f"{checked} documents checked, {failures} failures")
sys.exit(1 if failures else 0)
