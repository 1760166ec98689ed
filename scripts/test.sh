#!/usr/bin/env bash
# scripts/test.sh: the whole test suite — installs missing packages, builds, then runs every
# unit and integration test with ctest (real nginx and in-test servers on loopback, real
# SQLite files). `scripts/test.sh -L unit` passes its arguments on to ctest.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
cd "$root/build"
# Tests start their own servers on free ports; a proxy must never see loopback traffic.
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1
# As many at once as the machine has cores (TEST_JOBS overrides): every test picks free ports
# and its own directories, and the few that change the machine itself (the package test) are
# RUN_SERIAL. On 2 cores this halves the suite's time, and CI's.
ctest --output-on-failure --timeout 900 -j "${TEST_JOBS:-$(nproc)}" "$@"
