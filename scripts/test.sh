#!/usr/bin/env bash
# Builds combfs and runs every test, unit and integration, with ctest.
#
#   ./scripts/test.sh                 everything
#   ./scripts/test.sh -L integration  extra arguments go to ctest (-R regex, -L label...)
#
# Integration tests start real daemons and FUSE mounts on 127.0.0.1, one
# cluster per test under $TMPDIR (default /tmp); they need /dev/fuse and
# fusermount3. The exit code is ctest's.
set -euo pipefail
# shellcheck source=scripts/lib/build.sh
source "$(dirname "$0")/lib/build.sh"
# shellcheck source=scripts/lib/proc.sh
source "$(dirname "$0")/lib/proc.sh"
cd "$COMBFS_ROOT"

./scripts/install-deps.sh
configure_build
# shellcheck disable=SC2119 # no targets: build everything
build

clean_dead_test_mounts
say "running tests"
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@" || status=$?
exit "$status"
