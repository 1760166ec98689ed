#!/usr/bin/env bash
# scripts/lab-demo.sh: swarmcopy's main job, as an administrator would try it before a rollout.
# A LAN on this machine (swarmcopy-lab: network namespaces, a bridge, an nginx origin behind a
# shaped link) where 8 machines fetch the same update: first each with curl (the baseline: the
# origin sends the file 8 times), then with swarmcopy in lan mode (peers found by local service
# discovery share pieces; the origin sends the file about once). Prints both rows side by side
# — origin bytes, egress ratio, first/median/last finish against the ideal time, bytes from
# peers, CPU and memory per peer — and writes a report with plots. While each run goes, the
# lab's notes and its live progress (peers done, % verified, origin MB/s, elapsed vs ideal)
# show on stderr. Leaves no namespace, link or process behind. Needs root; builds what it needs
# on first use.
#
#   scripts/lab-demo.sh                              # 8 peers, 256 MiB, origin 100mbit
#   PEERS=4 SIZE=128M RATE=200mbit scripts/lab-demo.sh
#   REPORT=/tmp/lab-report scripts/lab-demo.sh       # where the report goes
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if ((EUID != 0)); then
  echo "lab-demo: needs root (network namespaces, veth pairs, a bridge, tc): run it with sudo" >&2
  exit 1
fi
bash "$root/scripts/build.sh" swarmcopy swarmcopy-lab
# Debian's nginx package starts a system nginx on port 80; the lab starts its own per run.
service nginx stop >/dev/null 2>&1 || true

PEERS=${PEERS:-8}
SIZE=${SIZE:-256M}
RATE=${RATE:-100mbit}
REPORT=${REPORT:-$root/build/lab-demo-report}

echo "lab-demo: $PEERS peers fetch one $SIZE file through a $RATE origin link: curl, then swarmcopy"
echo "lab-demo: (the curl baseline takes about $PEERS times as long as one download)"
status=0
"$root/build/bin/swarmcopy-lab" sweep --peers "$PEERS" --modes curl,lan --size "$SIZE" \
  --origin-rate "$RATE" --report "$REPORT" || status=$?
if ((status != 0)); then
  echo "lab-demo: swarmcopy-lab failed (exit $status)" >&2
  exit "$status"
fi
echo "lab-demo: egress = origin bytes / file size (curl: one copy per peer); last/id = last"
echo "lab-demo: finish / ideal time (file size / origin link rate)."
