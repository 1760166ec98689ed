#!/usr/bin/env bash
# scripts/demo.sh: swarmcopy's main job, end to end on this machine. Builds (scripts/build.sh),
# starts a local nginx origin on loopback with a generated file, downloads it with
# `swarmcopy get --json`, checks its SHA-256 with sha256sum, and prints a short summary: bytes,
# seconds, MB/s and where the bytes came from. Cleans up everything it started or wrote.
# Exit 0 when the download is complete and correct.
#
#   scripts/demo.sh              # 256 MiB
#   SIZE=1G scripts/demo.sh
#   BUILD=/path/to/build scripts/demo.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
if [[ -f $here/build.sh ]]; then
  bash "$here/build.sh" swarmcopy
fi
# shellcheck source-path=SCRIPTDIR source=../bench/lib/local_origin.sh
source "$root/bench/lib/local_origin.sh"

BUILD=${BUILD:-$root/build}
SIZE=${SIZE:-256M}
cli=$BUILD/bin/swarmcopy
if [[ ! -x $cli ]]; then
  echo "demo: $cli not found; build it with scripts/build.sh" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/swarmcopy-demo.XXXXXX")
cleanup() {
  origin_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bytes=$(to_bytes "$SIZE")
mkdir -p "$work/docroot" "$work/out"
make_test_file "$work/docroot/file.bin" "$bytes"
origin_start "$work/docroot" "$work/nginx"
url="$ORIGIN_URL/file.bin"
echo "origin:   $url ($SIZE, nginx on loopback)"

# The progress bar goes to stderr (when it is a terminal); the JSON result to stdout.
status=0
json=$("$cli" get "$url" -o "$work/out/file.bin" --home "$work/home" --json) || status=$?
if ((status != 0)); then
  echo "demo: swarmcopy get failed (exit $status): $json" >&2
  exit 1
fi

# The result is one flat JSON object (no jq needed for its top-level fields).
field() { sed -E -n "s/.*\"$1\":\"?([^\",}]*)\"?[,}].*/\1/p" <<<"$json"; }
state=$(field state)
seconds=$(field seconds)
got_bytes=$(field bytes)
from_origin=$(field from_origin)
from_peers=$(field from_peers)
from_cache=$(field from_cache)

expected=$(sha256sum <"$work/docroot/file.bin" | cut -d' ' -f1)
actual=$(sha256sum <"$work/out/file.bin" | cut -d' ' -f1)
if [[ $state != ACKNOWLEDGED || $got_bytes != "$bytes" || $actual != "$expected" ]]; then
  echo "demo: FAILED: state $state, $got_bytes of $bytes bytes, sha256 $actual (want $expected)" >&2
  exit 1
fi

awk -v job="$(field job)" -v b="$got_bytes" -v s="$seconds" -v o="$from_origin" \
  -v p="$from_peers" -v c="$from_cache" -v sha="$actual" 'BEGIN {
  total = o + p + c; if (total == 0) total = 1
  printf "job:      %s ACKNOWLEDGED\n", job
  printf "bytes:    %d (%.1f MiB)\n", b, b / 1048576
  printf "time:     %.2f s (%.1f MB/s)\n", s, b / 1e6 / s
  printf "sources:  origin %.1f%%, peers %.1f%%, cache %.1f%%\n", 100 * o / total, 100 * p / total, 100 * c / total
  printf "sha256:   %s (matches the origin)\n", sha
}'
echo "demo: OK"
