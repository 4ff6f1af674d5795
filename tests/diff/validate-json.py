#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# validate-json.py: `qcaps diff --format json` validates against schema/diff.schema.json:
# the committed JSON goldens (fixtures/expected/diff/*.json) and fresh output of every kind
# of diff (models, documents, --stat, two host exports, a self-diff). Exit 77 (skipped)
# without python3-jsonschema (scripts/setup-deps.sh --extra installs it).
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
with open(os.path.join(root, "schema", "diff.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0


def check(name, text):
    global failures
    errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"FAIL {name}: {'/'.join(map(str, e.path))}: {e.message}")
    failures += bool(errors)
    if not errors:
        print(f"ok {name}")


def fixture(set_, arch):
    found = glob.glob(os.path.join(root, "fixtures", "qmp", set_, f"caps_*_{arch}.replies"))
    return found[0]


def run(*args):
    r = subprocess.run([qcaps, "diff", "--format", "json", *args], capture_output=True,
                       text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f"qcaps diff {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r.stdout


for path in sorted(glob.glob(os.path.join(root, "fixtures", "expected", "diff", "*.json"))):
    with open(path) as f:
        check(os.path.basename(path), f.read())

with tempfile.TemporaryDirectory() as tmp:
    os.environ["QCAPS_CACHE_DIR"] = tmp
    old, new = fixture("bookworm", "x86_64"), fixture("forky", "x86_64")
    check("models", run(old, new))
    check("self", run(old, old))
    check("stat", run("--stat", old, new))
    check("domcaps", run("--document", "domcaps", "--machine", "q35", old, new))
    check("capabilities", run("--document", "capabilities", old, new))
    check("riscv64", run(fixture("bookworm", "riscv64"), fixture("forky", "riscv64")))
    exports = []
    for set_ in ("bookworm", "forky"):
        out = os.path.join(tmp, set_ + ".export")
        subprocess.run([qcaps, "export", "--fixture-dir",
                        os.path.join(root, "fixtures", "qmp", set_), "--host-facts",
                        os.path.join(root, "fixtures", "host", set_ + "_x86_64.json"),
                        "--output", out], check=True, capture_output=True)
        exports.append(out)
    check("hosts", run(*exports))
    check("host and fixture", run(exports[0], new))

sys.exit(1 if failures else 0)
