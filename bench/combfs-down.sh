#!/usr/bin/env bash
# combfs-down.sh MOUNTPOINT — undo combfs-up.sh: unmount, stop the client and the daemons it
# started (by their recorded pids only), remove $BENCH_DATA/combfs.
set -uo pipefail
MNT=${1:?usage: combfs-down.sh MOUNTPOINT}
BENCH_DATA=${BENCH_DATA:-/var/tmp/combfs-bench}
D=$BENCH_DATA/combfs

# stop NAME — TERM, wait up to 10 s, then KILL.
stop() {
  local f=$D/$1.pid pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "combfs-down: $1 (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$f"
}

# findmnt also sees a mount whose client died (mountpoint(1) fails there: ENOTCONN).
if mountpoint -q "$MNT" 2>/dev/null || findmnt -M "$MNT" >/dev/null 2>&1; then
  # A busy mount (a process still in it) gets a lazy unmount so teardown never hangs.
  fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" || true
fi
stop client
for f in "$D"/stored*.pid; do [ -e "$f" ] && stop "$(basename "$f" .pid)"; done
for f in "$D"/metad*.pid; do [ -e "$f" ] && stop "$(basename "$f" .pid)"; done
stop mgmtd
# shellcheck source=bench/lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
netns_down
rm -rf "$D"
echo "combfs stopped"
