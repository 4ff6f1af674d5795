#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# calls.py: the calls between qcaps' source files go one way. From the object files of the
# layer libraries (nm): no two files call each other (a file defining a function another
# calls, calling back into that file), and no file calls into a higher layer (the include
# roots of meson.build make an upward #include fail; this catches a declaration written by
# hand). Layers, lowest first: common model qmp introspect cache schema lib cli.
import collections
import glob
import os
import subprocess
import sys

LAYERS = ["common", "model", "qmp", "introspect", "cache", "schema", "lib"]
build = os.environ["QC_BUILD_ROOT"]


def layer_of(obj):
    # <build>/<layer>/libqc_x.a.p/<file>.c.o, or <build>/libqc_api.a.p/lib_<file>.c.o
    rel = os.path.relpath(obj, build)
    top = rel.split(os.sep)[0]
    if top in LAYERS:
        return top, top + "/" + os.path.basename(obj)[:-len(".o")]
    base = os.path.basename(obj)[:-len(".o")]
    layer, _, name = base.partition("_")
    return layer, layer + "/" + name


objs = [o for a in glob.glob(os.path.join(build, "**", "libqc_*.a.p", "*.o"), recursive=True)
        for o in [a]]
if not objs:
    print("skip: no object files (build first)")
    sys.exit(77)
defined, undefined, layer = {}, collections.defaultdict(set), {}
for obj in objs:
    lay, name = layer_of(obj)
    if lay not in LAYERS:
        continue
    layer[name] = lay
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDRB":
            defined.setdefault(parts[2], name)
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        undefined[name].add(line.split()[-1])

calls = collections.defaultdict(set)
for f, syms in undefined.items():
    for s in syms:
        g = defined.get(s)
        if g and g != f:
            calls[f].add(g)
failures = 0
for f in sorted(calls):
    for g in sorted(calls[f]):
        if f < g and f in calls.get(g, ()):
            print(f"FAIL {f} and {g} call each other")
            failures += 1
        if LAYERS.index(layer[g]) > LAYERS.index(layer[f]):
            print(f"FAIL {f} calls up into {g}")
            failures += 1
print(f"{len(layer)} files, {sum(len(v) for v in calls.values())} file-to-file edges, "
      f"{failures} failure(s)")
sys.exit(1 if failures else 0)
