#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# validate-json.py: every domainCapabilities and capabilities document qcaps writes as JSON
# validates against its JSON Schema (the build's schema/*.schema.json, generated from the
# RelaxNG grammars): `qcaps domcaps --format json` of every committed fixture of every
# generation, for each libvirt generation, both virttypes and each machine of the domcaps
# goldens; `qcaps capabilities --format json` of each fixture set with its recorded host, for
# each libvirt generation; the committed capabilities golden. A few broken documents (a
# number as a string, a list as a scalar, a required member gone, another format-version, an
# unknown member) must be rejected, so the check cannot pass by accepting everything.
# Exit 77 (skipped) without python3-jsonschema (scripts/setup-deps.sh --extra installs it).
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

try:
    import jsonschema
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)

root = os.environ["QC_SOURCE_ROOT"]
build = os.environ["QC_BUILD_ROOT"]
qcaps = os.environ["QC_QCAPS"]
GENERATIONS = ["9.0", "11.3", "12.8"]


def validator(doc):
    with open(os.path.join(build, "schema", f"{doc}.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


validators = {"domainCapabilities": validator("domcapabilities"),
              "capabilities": validator("capabilities")}
failures = 0
checked = 0


def errors_of(doc):
    kind = next((k for k in doc if k != "format-version"), None)
    v = validators.get(kind)
    if v is None:
        return [f"no schema for a document of kind {kind!r}"]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))]


def check(name, text):
    global failures, checked
    checked += 1
    errors = errors_of(json.loads(text))
    for e in errors[:5]:
        print(f"FAIL {name}: {e}")
    failures += bool(errors)


def run(args):
    r = subprocess.run([qcaps, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"qcaps {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return " ".join(args), r.stdout


with tempfile.TemporaryDirectory() as tmp:
    os.environ["QCAPS_CACHE_DIR"] = tmp
    jobs = []
    for set_ in ("bookworm", "trixie", "forky"):
        fixtures = sorted(glob.glob(os.path.join(root, "fixtures", "qmp", set_, "*.replies")))
        for fx in fixtures:
            for gen in GENERATIONS:
                jobs.append(["domcaps", "--format", "json", "--libvirt", gen, "--fixture", fx])
            if fx.endswith("_x86_64.replies"):
                for vt in ("kvm", "qemu"):
                    jobs.append(["domcaps", "--format", "json", "--virttype", vt,
                                 "--fixture", fx])
        for gen in GENERATIONS:
            jobs.append(["capabilities", "--format", "json", "--libvirt", gen,
                         "--host-facts", os.path.join(root, "fixtures", "host",
                                                      f"{set_}_x86_64.json"),
                         "--fixture-dir", os.path.join(root, "fixtures", "qmp", set_)])
    # the machines of the domcaps goldens (x86_64-q35, aarch64-virt, ...)
    for path in glob.glob(os.path.join(root, "fixtures", "expected", "domcaps", "*", "*-*.xml")):
        stem = os.path.basename(path)[:-4]
        base, _, machine = stem.partition("-")
        machine = machine.split("-")[0]
        if machine in ("kvm", "qemu"):
            continue
        fx = glob.glob(os.path.join(root, "fixtures", "qmp", "bookworm", base + ".replies"))
        if fx:
            jobs.append(["domcaps", "--format", "json", "--machine", machine, "--fixture", fx[0]])
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, out in pool.map(run, jobs):
            check(name, out)

for path in sorted(glob.glob(os.path.join(root, "fixtures", "expected", "capabilities",
                                          "*.json"))):
    with open(path) as f:
        check(os.path.relpath(path, root), f.read())

# broken documents must fail
_, text = run(["domcaps", "--format", "json", "--libvirt", "12.8", "--fixture",
               glob.glob(os.path.join(root, "fixtures", "qmp", "bookworm",
                                      "caps_*_x86_64.replies"))[0]])
good = json.loads(text)


def broken(what, mutate):
    global failures
    doc = copy.deepcopy(good)
    mutate(doc["domainCapabilities"], doc)
    if not errors_of(doc):
        print(f"FAIL the schema accepts a document with {what}")
        failures += 1


broken("a number as a string", lambda d, _: d["vcpu"].update({"@max": "255"}))
broken("a boolean as a string", lambda d, _: d["os"].update({"@supported": "yes"}))
broken("a list as a scalar",
       lambda d, _: d["os"]["loader"].update({"value": d["os"]["loader"]["value"][0]}))
broken("an empty list", lambda d, _: d["os"]["loader"].update({"value": []}))
broken("a required member gone", lambda d, _: d.pop("arch"))
broken("an unknown member", lambda d, _: d.update({"nosuch": 1}))
broken("another format-version", lambda _, doc: doc.update({"format-version": 2}))
broken("a value outside the enumeration",
       lambda d, _: d["cpu"]["mode"][0].update({"@name": "nosuch"}))

print(f"{checked} documents checked, {failures} failure(s)")
sys.exit(1 if failures else 0)
