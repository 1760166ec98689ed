#!/usr/bin/env bash
# scripts/install-deps.sh: installs every Debian 12 package swarmcopy needs to build, test and
# benchmark, when one is missing (apt-get update first). Needs root (or sudo) only then.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ca-certificates
  # libraries
  libtorrent-rasterbar-dev libcurl4-openssl-dev libsqlite3-dev libboost-dev libboost-system-dev
  libssl-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  # fuzz targets (scripts/fuzz.sh): clang, libFuzzer, llvm-symbolizer for readable reports
  clang-15 libfuzzer-15-dev llvm-15
  # tests (qbittorrent-nox and aria2: stock BitTorrent clients for the interop tests;
  # prometheus: daemon_metrics_test scrapes swarmcopyd with its own instance; chromium:
  # daemon_activity_test loads the activity page headless)
  libgtest-dev libgmock-dev nginx-light curl iproute2 qbittorrent-nox aria2 prometheus chromium
  # the apt method's tests: a Debian repository made in the test (dpkg-deb is in dpkg)
  apt-utils
  # the registry mirror's tests: a registry as the origin, skopeo to push and pull images
  docker-registry skopeo
  # group mode's tests: a real BitTorrent tracker (Debian builds it with a whitelist)
  opentracker
  # the Debian package (scripts/package.sh, cpack -G DEB): dpkg-shlibdeps finds its dependencies,
  # `file` tells CPack which files are ELF; deb_package_test installs it, and it depends on
  # init-system-helpers (deb-systemd-helper in its maintainer scripts)
  dpkg-dev file init-system-helpers
  # swarmcopy-lab --report (plots)
  gnuplot-nox
  # benchmarks (references)
  openssl
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
# The package starts a system Prometheus (port 9090); the tests start their own on free ports.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v service >/dev/null; then
  "${sudo[@]}" service prometheus stop >/dev/null 2>&1 || true
fi
# Likewise the registry's and the tracker's system services (ports 5000, 6969): the tests run
# their own.
if [[ " ${missing[*]} " == *" opentracker "* ]] && command -v service >/dev/null; then
  "${sudo[@]}" service opentracker stop >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v service >/dev/null; then
  "${sudo[@]}" service docker-registry stop >/dev/null 2>&1 || true
fi
