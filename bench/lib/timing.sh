# shellcheck shell=bash
# Timing helpers shared by bench/peer_pair, bench/first_peer and bench/cache_hit. Source it, then:
#   timed OUT CMD...     # runs CMD (stdout -> OUT.out, stderr -> OUT.err); writes
#                        # "WALL USER SYS" (seconds) to OUT.time; fails (prints OUT.err) if CMD does
#   median               # stdin: numbers, one a line -> the median (the lower middle one)
#   free_port            # a TCP port nothing on this machine listens on (20000-59999)
#   json_field FILE EXPR # jq -r EXPR on FILE (the last JSON object in it)
#   wait_for_json FILE PID SECONDS   # until FILE holds a whole JSON object; fails if PID dies
#   speed BYTES SECONDS  # MB/s (10^6), one decimal
#   medians_of OUT...    # "WALL USER SYS", the median of each column over OUT.time files
# Wall time is taken around the command; CPU time (user + sys of the command and its children,
# as getrusage counts it) comes from GNU time. Neither counts the kernel's write-back threads.

TIME_BIN=${TIME_BIN:-/usr/bin/time}

now() { date +%s.%N; }

timed() {
  local out=$1 start end rc=0
  shift
  start=$(now)
  "$TIME_BIN" -f '%U %S' -o "$out.cpu" "$@" >"$out.out" 2>"$out.err" || rc=$?
  end=$(now)
  if ((rc != 0)); then
    echo "failed (exit $rc): $*" >&2
    tail -n 20 "$out.err" >&2
    return 1
  fi
  awk -v a="$start" -v b="$end" '{ printf "%.3f %.2f %.2f\n", b - a, $1, $2 }' \
    "$out.cpu" >"$out.time"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

free_port() {
  local port _
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! ss -Htuan "sport = :$port" | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  echo "free_port: no free port found" >&2
  return 1
}

json_field() { jq -s -r "last | $2" "$1"; }

wait_for_json() {
  local file=$1 pid=$2 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if [[ -s $file ]] && jq -e -s 'length > 0' "$file" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "wait_for_json: process $pid ended without printing its JSON" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "wait_for_json: no JSON in $file after $3 s" >&2
  return 1
}

speed() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1e6 / t }'; }

# medians_of OUT... -> "WALL USER SYS": the median of each column over the OUT.time files.
medians_of() {
  local column
  for column in 1 2 3; do
    awk -v c="$column" '{ print $c }' "${@/%/.time}" | median
  done | paste -sd' '
}
