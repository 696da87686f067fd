#!/usr/bin/env bash
# Installs the system packages gradtrace needs, only those that are missing (Debian/Ubuntu).
# Graphviz's C library renders diagrams in-process; pkg-config tells SwiftPM where it and
# cmark-gfm are.
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists libgvc 2>/dev/null || need+=(libgraphviz-dev)
# cmark-gfm (GitHub's CommonMark library) renders lesson prose in-process.
pkg-config --exists libcmark-gfm 2>/dev/null || need+=(libcmark-gfm-dev)
[ -e /usr/include/cmark-gfm-core-extensions.h ] || need+=(libcmark-gfm-extensions-dev)
# Diagrams name DejaVu Sans: with another font the layout, and so output/, would differ.
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "error: swift is not on PATH; install the Swift toolchain (6.1 or later) from swift.org" >&2
  exit 1
fi
