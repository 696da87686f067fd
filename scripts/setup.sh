#!/usr/bin/env bash
# One command for a fresh Debian machine: install what is missing, build, and explain the
# lecture's first example, f = (x + y) * z at x = -2, y = 5, z = -4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release
.build/release/gradtrace explain "(x + y) * z" x=-2 y=5 z=-4
