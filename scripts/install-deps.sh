#!/usr/bin/env bash
# Installs the Debian 12 packages combfs needs to build, test and run a local cluster.
# Idempotent: does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libfuse3-dev fuse3
  libboost-dev libboost-system-dev
  libsqlite3-dev sqlite3
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libssl-dev
  libisal-dev
  libibverbs-dev librdmacm-dev
  iproute2 procps psmisc attr acl
  help2man lintian rpm
  openmpi-bin libopenmpi-dev
  mpich libmpich-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# Another apt run (unattended-upgrades, a second checkout's script) holds the lock: wait for it.
"${sudo_cmd[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
