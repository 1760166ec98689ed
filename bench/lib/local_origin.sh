# shellcheck shell=bash
# A local HTTP origin for benches and demos: a real nginx on 127.0.0.1 and a free port,
# serving a docroot, all its files (config, logs, pid, temp paths) under one prefix directory.
# Source this file, then:
#   origin_start DOCROOT PREFIX   # sets ORIGIN_PORT, ORIGIN_PID, ORIGIN_URL (no trailing /)
#   origin_stop                   # stops it; safe to call twice (use it in a trap)
#   make_test_file PATH BYTES     # deterministic, incompressible content
#   to_bytes 256M                 # -> 268435456 (binary suffixes K M G T)
# nginx runs in the foreground as our child (daemon off, master_process off), so stopping it
# is one kill and one wait.

# shellcheck disable=SC2034  # ORIGIN_* are this file's output, read by the sourcing script.
ORIGIN_PID=""
ORIGIN_PORT=""
ORIGIN_URL=""
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}

to_bytes() {
  numfmt --from=iec "$1"
}

make_test_file() {
  local path=$1 bytes=$2
  # AES-CTR over zeros: fast (GB/s), the same bytes on every run, and not compressible.
  # openssl dies of SIGPIPE when head has enough: that is the normal end, not a failure.
  (openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
    -iv 00000000000000000000000000000000 </dev/zero 2>/dev/null || true) |
    head -c "$bytes" >"$path"
  if [[ $(stat -c %s "$path") != "$bytes" ]]; then
    echo "make_test_file: could not write $bytes bytes to $path" >&2
    return 1
  fi
}

origin_start() {
  local docroot=$1 prefix=$2 port deadline _
  mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/temp"
  for _ in 1 2 3 4 5; do
    # A random high port; if it is taken, nginx says so and we try another.
    port=$((20000 + RANDOM % 40000))
    cat >"$prefix/conf/nginx.conf" <<CONF
master_process off;
worker_processes 1;
error_log "$prefix/logs/error.log" warn;
pid "$prefix/logs/nginx.pid";
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 30s;
  access_log "$prefix/logs/access.log";
  client_body_temp_path "$prefix/temp/body";
  proxy_temp_path "$prefix/temp/proxy";
  fastcgi_temp_path "$prefix/temp/fastcgi";
  uwsgi_temp_path "$prefix/temp/uwsgi";
  scgi_temp_path "$prefix/temp/scgi";
  server {
    listen 127.0.0.1:$port;
    root "$docroot";
  }
}
CONF
    rm -f "$prefix/logs/nginx.pid"
    "$NGINX_BIN" -p "$prefix/" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" \
      -g 'daemon off;' >"$prefix/logs/stderr.log" 2>&1 &
    ORIGIN_PID=$!
    deadline=$((SECONDS + 10))
    while ((SECONDS < deadline)); do
      if ! kill -0 "$ORIGIN_PID" 2>/dev/null; then
        break  # exited: see below
      fi
      if [[ -s $prefix/logs/nginx.pid ]] &&
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        # shellcheck disable=SC2034
        ORIGIN_PORT=$port
        # shellcheck disable=SC2034
        ORIGIN_URL="http://127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    if kill -0 "$ORIGIN_PID" 2>/dev/null; then
      kill "$ORIGIN_PID" 2>/dev/null || true
      wait "$ORIGIN_PID" 2>/dev/null || true
      ORIGIN_PID=""
      echo "nginx did not accept connections within 10 s" >&2
      return 1
    fi
    wait "$ORIGIN_PID" 2>/dev/null || true
    ORIGIN_PID=""
    if ! grep -q "Address already in use" "$prefix/logs/stderr.log" "$prefix/logs/error.log"; then
      echo "nginx failed to start:" >&2
      cat "$prefix/logs/stderr.log" "$prefix/logs/error.log" >&2
      return 1
    fi
  done
  echo "nginx: no free port found" >&2
  return 1
}

origin_stop() {
  if [[ -n $ORIGIN_PID ]]; then
    kill "$ORIGIN_PID" 2>/dev/null || true
    wait "$ORIGIN_PID" 2>/dev/null || true
    ORIGIN_PID=""
  fi
}
