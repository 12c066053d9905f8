# shellcheck shell=bash
# Shared by scripts/*.sh: where the repository and the build directory are, and
# how to configure and build. Source it; it defines COMBFS_ROOT and BUILD_DIR.

COMBFS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${COMBFS_BUILD_DIR:-$COMBFS_ROOT/build}
# The programs a cluster needs (scripts/demo.sh builds only these).
# shellcheck disable=SC2034 # used by the scripts that source this file
COMBFS_PROGRAMS=(combfs-mgmtd combfs-metad combfs-stored combfs-client fsctl)

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Configures $BUILD_DIR (Ninja, RelWithDebInfo, ccache when installed) unless it
# already is. A build directory made with another generator is not touched.
configure_build() {
  local cache=$BUILD_DIR/CMakeCache.txt
  if [ -f "$cache" ]; then
    grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$cache" ||
      die "$BUILD_DIR was configured with another generator than Ninja; remove it (rm -rf $BUILD_DIR) and run again"
    [ -f "$BUILD_DIR/build.ninja" ] && return 0
  fi
  say "configuring $BUILD_DIR"
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$COMBFS_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}"
}

# Builds the given targets (everything when none), with COMBFS_JOBS parallel
# jobs (default: the number of CPUs).
build() {
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  say "building ${*:-everything} in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --parallel "${COMBFS_JOBS:-$(nproc)}" "${targets[@]}"
}
