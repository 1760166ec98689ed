#!/usr/bin/env bash
# scripts/build.sh: installs missing packages, then configures and builds everything into
# build/ (build/bin/swarmcopy, the tests). Warnings are errors: the toolchain is pinned
# (Debian 12, g++ 12). BUILD_TYPE=Debug scripts/build.sh for a debug build;
# `scripts/build.sh swarmcopy` builds only the named targets.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DSWARMCOPY_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$root/build" -j "$(nproc)" "${targets[@]}"
