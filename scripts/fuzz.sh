#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS [TARGET...]]: builds the libFuzzer targets of tests/fuzz/ with
# clang-15 (AddressSanitizer + UndefinedBehaviorSanitizer) into build-fuzz/ — never build/ —
# and runs each for SECONDS (default 20), as many at once as there are cores (FUZZ_JOBS=N sets
# it); TARGETs (ipc_codec, ...) pick some. Exits non-zero when any target crashes, leaks, breaks
# one of its properties, or times out on an input; the input is then in
# build-fuzz/artifacts/TARGET/ and the report at the end.
# Installs missing packages first (scripts/install-deps.sh lists clang-15, libfuzzer-15-dev and
# llvm-15, whose llvm-symbolizer makes the reports readable).
#
# Each target starts from its committed seeds (tests/fuzz/corpus/TARGET, only read) and the
# inputs earlier runs found (build-fuzz/corpus/TARGET, where new ones go), so runs add up.
# One line per target: executions per second, coverage (edges) and corpus size at the end.
# Full output in build-fuzz/logs/TARGET.log. Builds and runs below other work (nice -n 10);
# JOBS=N sets the build's parallelism (default: the number of cores).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seconds=${1:-20}
shift || true
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS [TARGET...]]" >&2; exit 1; }

bash "$root/scripts/install-deps.sh"

start=$SECONDS
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-15 >/dev/null
fi
nice -n 10 cmake --build "$build" -j "${JOBS:-$(nproc)}"
echo "fuzz: built in $((SECONDS - start)) s"

# name [dictionary] per line, as tests/fuzz/CMakeLists.txt wrote it.
declare -A dictionaries=()
names=()
while read -r name dictionary; do
  [[ -n $name ]] || continue
  names+=("$name")
  dictionaries[$name]=$dictionary
done <"$build/fuzzers.txt"
if (($# > 0)); then
  for name in "$@"; do
    [[ -v dictionaries[$name] ]] || { echo "fuzz: no target $name (${names[*]})" >&2; exit 1; }
  done
  names=("$@")
fi

# Every report ends its process: libFuzzer then saves the input. Options set by the caller win.
# The symbolizer is named: the sanitizer runtime does not find llvm-15's by itself.
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]] && command -v llvm-symbolizer-15 >/dev/null; then
  ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-15)
  export ASAN_SYMBOLIZER_PATH
fi
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

mkdir -p "$build/logs" "$build/status"
# run_target NAME: one target for $seconds; its one-line summary on stdout, its exit status in
# build-fuzz/status/NAME.
run_target() {
  local name=$1
  local corpus="$build/corpus/$name" artifacts="$build/artifacts/$name" log="$build/logs/$name.log"
  rm -rf "$artifacts"  # what is listed at the end is this run's
  mkdir -p "$corpus" "$artifacts"
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                 -artifact_prefix="$artifacts/")
  [[ -z ${dictionaries[$name]} ]] || options+=(-dict="${dictionaries[$name]}")
  local status=0
  # The outer timeout is for a target that hangs where libFuzzer's own -timeout cannot see
  # (outside an input, or with the process stopped).
  timeout --kill-after=10 $((seconds + 120)) nice -n 10 \
    "$build/bin/${name}_fuzzer" "${options[@]}" "$corpus" "$root/tests/fuzz/corpus/$name" \
    >"$log" 2>&1 || status=$?
  echo "$status" >"$build/status/$name"
  # "#123456 DONE cov: 245 ft: 870 corp: 61/2417b lim: 4096 exec/s: 6172 rss: 48Mb"
  local summary cov corp execs runs
  summary=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$summary")
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$summary")
  execs=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  if ((status == 0)); then
    printf 'fuzz: %-24s ok      %9s runs %7s exec/s  cov %5s  corpus %5s\n' \
      "$name" "${runs:-?}" "${execs:-?}" "${cov:-?}" "${corp:-?}"
  else
    printf 'fuzz: %-24s FAILED  (exit %d) log: %s\n' "$name" "$status" "$log"
  fi
}

# As many targets at once as the machine has cores (FUZZ_JOBS overrides): each target is one
# single-threaded process, so on 2 cores the runs take half the time they took one by one.
parallel=${FUZZ_JOBS:-$(nproc)}
rm -f "$build/status"/*
for name in "${names[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_target "$name" &
done
wait

failed=()
for name in "${names[@]}"; do
  [[ $(cat "$build/status/$name" 2>/dev/null) == 0 ]] || failed+=("$name")
done

for name in "${failed[@]}"; do
  echo
  echo "=== $name: the report in $build/logs/$name.log"
  # From the first line of the report (a sanitizer, a broken property, an exception) on.
  grep -vE '^#[0-9]+[[:space:]]' "$build/logs/$name.log" |
    sed -n '/ERROR: \|runtime error\|FUZZ_CHECK\|terminate called\|ALARM: /,$p' | head -40 || true
  for input in "$build/artifacts/$name"/*; do
    [[ -e $input ]] || continue
    echo "--- reproduce: $build/bin/${name}_fuzzer $input"
  done
done
echo "fuzz: ${#names[@]} targets, $seconds s each, $((${#names[@]} - ${#failed[@]})) passed," \
  "${#failed[@]} failed; $((SECONDS - start)) s in all"
((${#failed[@]} == 0))
