#!/usr/bin/env bash
# scripts/sanitize.sh: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# Installs missing packages, builds everything with -DSWARMCOPY_SANITIZE=address,undefined
# (Debug, -O1, frame pointers; every report fatal) into build-asan/ — never build/ — and runs
# ctest there as scripts/test.sh does; its arguments go to ctest (`scripts/sanitize.sh -L unit`).
# The helper programs the tests start (swarmcopyd, swarmcopy, engine_worker, ...) come from
# build-asan/bin and are instrumented too. Their stderr usually ends in a temporary log the test
# deletes, and many are ended with SIGKILL, so every report is also written to
# build-asan/sanitizer-logs/ and printed at the end: any report there fails the run even when
# no test noticed it. On this 2-core machine the build from scratch takes ~30 minutes (ASan
# alone: ~23), the suite ~4 (two at a time). JOBS=N sets the build's parallelism (default: the
# number of cores), below other work (nice -n 10).
#
# SANITIZE=address: AddressSanitizer (and LeakSanitizer) alone, into build-asan-only/: what CI
# runs. UBSan doubles the compile time of the Beast- and Asio-heavy files (registry/src/
# upstream_call.cpp: 59 s with ASan alone, 115-126 s with UBSan too), which put CI past its
# 90 minutes; the fuzz targets keep UBSan on every parser, and this default runs it all by hand.
#
# SANITIZE=thread: ThreadSanitizer instead, into build-tsan/ (run by hand, usually on the
# engine, daemon and client tests: `SANITIZE=thread scripts/sanitize.sh -R 'Engine|Daemon'`).
# libtorrent is not instrumented, so races TSan sees inside it are suppressed
# (tests/sanitizers/tsan.supp: only frames in libtorrent's library); nothing of ours is.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=${SANITIZE:-address,undefined}
case $sanitize in
  address,undefined) build="$root/build-asan" ;;
  address) build="$root/build-asan-only" ;;
  thread) build="$root/build-tsan" ;;
  *)
    echo "sanitize: SANITIZE is address,undefined, address or thread, not $sanitize" >&2
    exit 1
    ;;
esac
logs="$build/sanitizer-logs"

bash "$root/scripts/install-deps.sh"

start=$SECONDS
# Warnings are not errors here: GCC's flow-based warnings (-Wmaybe-uninitialized,
# -Wstringop-overflow, ...) give false positives on instrumented code; build.sh keeps them fatal.
# -g1 (line tables, no variables) is what a sanitizer's stack trace needs, and compiles a sixth
# faster than -g.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  -DSWARMCOPY_SANITIZE="$sanitize" -DSWARMCOPY_WERROR=OFF -DSWARMCOPY_BUILD_BENCH=OFF \
  >/dev/null
nice -n 10 cmake --build "$build" -j "${JOBS:-$(nproc)}"
build_seconds=$((SECONDS - start))

rm -rf "$logs"
mkdir -p "$logs"
# halt_on_error: the first report ends the process (with -fno-sanitize-recover, also UBSan's).
# Options the caller already set come last, so they win.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
lsan_suppressions="$root/tests/sanitizers/lsan.supp"
if [[ -f $lsan_suppressions ]]; then
  export LSAN_OPTIONS="suppressions=$lsan_suppressions:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
# second_deadlock_stack: a lock-order report shows both acquisitions.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp:log_path=$logs/tsan${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
# Tests start their own servers on free ports; a proxy must never see loopback traffic.
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1

start=$SECONDS
status=0
# As many at once as the machine has cores (TEST_JOBS overrides), as scripts/test.sh runs them.
(cd "$build" && ctest --output-on-failure --timeout 900 -j "${TEST_JOBS:-$(nproc)}" "$@") ||
  status=$?
test_seconds=$((SECONDS - start))

reports=("$logs"/*)
if [[ -e ${reports[0]} ]]; then
  echo "sanitize: ${#reports[@]} sanitizer report(s) in $logs:" >&2
  for report in "${reports[@]}"; do
    echo "==== $report" >&2
    cat "$report" >&2
  done
  ((status != 0)) || status=1
fi
echo "sanitize: build ${build_seconds}s, tests ${test_seconds}s, exit $status" >&2
exit "$status"
