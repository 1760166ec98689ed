#!/usr/bin/env bash
# scripts/package.sh: builds the Debian package swarmcopy_VERSION_amd64.deb (packaging/README.md)
# into build/package/, or into the directory given: installs missing packages, configures
# build/ when it is not yet, builds the three programs the package holds, then cpack -G DEB.
#   scripts/package.sh                 # build/package/swarmcopy_0.1.0_amd64.deb
#   scripts/package.sh /tmp/out        # /tmp/out/swarmcopy_0.1.0_amd64.deb
#   sudo dpkg -i build/package/swarmcopy_*.deb
# BUILD_DIR=... for another build directory; JOBS=N for the build's parallelism.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=$(realpath -m "${1:-$build/package}")
bash "$root/scripts/install-deps.sh"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DSWARMCOPY_WERROR=ON >/dev/null
fi
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target swarmcopy swarmcopyd swarmcopy_apt_method
mkdir -p "$out"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" >/dev/null
rm -rf "$out/_CPack_Packages"
ls "$out"/swarmcopy_*.deb
