#!/usr/bin/env python3
"""Fails when a stage imports a stage above it.

Reads `swift package describe --type json` (or a file of it given as the first argument) and
the `import` lines of every source file, and checks both against STAGES: a target may depend on,
and import, only targets of a lower rank. Run by .ci/run before the tests; ARCHITECTURE.md lists
the same stages.
"""
import json, os, re, subprocess, sys

# rank: a target may use only targets of a strictly lower rank (system libraries are rank 0).
STAGES = {
    "CGraphviz": 0, "CCmarkGFM": 0, "CSystemCalls": 0,
    "GradTraceIO": 1, "GradTraceCore": 1, "GradTraceGraphviz": 1,
    "GradTraceViews": 2,
    "GradTraceTraining": 3,
    "GradTraceRequests": 4,
    "GradTraceLessons": 5,
    "GradTrace": 6,
    "GradTraceServer": 7,
    "gradtrace": 8, "gradtrace-bench": 8,
}

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(sys.argv) > 1:
        text = open(sys.argv[1]).read()
    else:
        text = subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=root,
                              check=True, capture_output=True, text=True).stdout
    package = json.loads(text[text.index("{"):])
    problems = []
    local = {t["name"]: t for t in package["targets"]}
    for name, target in local.items():
        if target.get("type") == "test":
            continue
        if name not in STAGES:
            problems.append(f"{name}: not in scripts/check-layers.py's STAGES (give it a rank)")
            continue
        deps = set(target.get("target_dependencies", []))
        for dep in sorted(deps):
            if dep not in STAGES:
                problems.append(f"{name} -> {dep}: {dep} has no rank")
            elif STAGES[dep] >= STAGES[name]:
                problems.append(f"{name} (rank {STAGES[name]}) depends on {dep} (rank {STAGES[dep]}): an upward or sideways edge")
        # Imports must be declared dependencies (SwiftPM may let an undeclared module through).
        path = os.path.join(root, target["path"])
        for folder, _, files in os.walk(path):
            for f in files:
                if not f.endswith(".swift"):
                    continue
                for line in open(os.path.join(folder, f), encoding="utf-8"):
                    m = re.match(r"\s*(?:@_exported\s+|@testable\s+)?import\s+(\w+)", line)
                    if m and m.group(1) in local and m.group(1) not in deps and m.group(1) != name:
                        problems.append(f"{os.path.relpath(os.path.join(folder, f), root)} imports {m.group(1)}, which {name} does not depend on")
    for p in problems:
        print("layering:", p, file=sys.stderr)
    if problems:
        return 1
    print(f"layering: {len(STAGES)} stages, {len(local)} targets, no upward edge")
    return 0

if __name__ == "__main__":
    sys.exit(main())
