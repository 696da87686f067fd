#!/usr/bin/env bash
# The notebook check, given the built binary: bash python/tests/ci.sh .build/release/gradtrace
# Installs what it needs (PyPI: nbclient, ipykernel, nbformat; this repository's python/ package),
# runs the package's unit tests, then executes examples/backprop.ipynb, whose cells assert the
# published numbers. Writes nothing in the repository (pip builds the package in a temporary copy).
set -euo pipefail
binary=${1:?usage: bash python/tests/ci.sh PATH-TO-GRADTRACE}
[ -f "$binary" ] && [ -x "$binary" ] || { echo "ci.sh: '$binary' is not an executable file" >&2; exit 2; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
start=$(now)
python3 -m pip install -q nbclient ipykernel nbformat
mkdir "$scratch/python"
cp -R python/pyproject.toml python/README.md python/src "$scratch/python/"
python3 -m pip install -q "$scratch/python"
installs=$(took "$start")
export GRADTRACE="$binary" PYTHONDONTWRITEBYTECODE=1
start=$(now)
python3 -m unittest discover -s python/tests -t python/tests
tests=$(took "$start")
start=$(now)
python3 python/tests/run_notebook.py --timeout 120
echo "notebook check: pip installs $installs, unit tests $tests, notebook $(took "$start")"
