#!/usr/bin/env bash
# combfs-up.sh MOUNTPOINT — a combfs cluster for benchmarks: combfs-mgmtd, one combfs-metad
# (or COMBFS_METADS of them), one combfs-stored with 4 targets (or COMBFS_STOREDS daemons
# sharing COMBFS_TARGETS), all on 127.0.0.1 with ports picked by the kernel, and the FUSE
# client mounted at MOUNTPOINT.
#
# State, logs, pids and the 0600 secret live under $BENCH_DATA/combfs (default
# /var/tmp/combfs-bench/combfs); combfs-down.sh MOUNTPOINT stops everything and removes it.
# Programs come from $COMBFS_BIN (default: build/bin of this repository).
# Environment: COMBFS_TARGETS (default 4), COMBFS_STOREDS (default 1; the targets are dealt out
# among them), COMBFS_MIRROR=1 (pairs the targets into mirror groups and makes the root
# directory buddymirror over 2 groups; needs COMBFS_STOREDS >= 2), COMBFS_METADS (default 1), COMBFS_MOUNT_OPTS (extra
# -o options for the client), COMBFS_METAD_ARGS (extra metad options, e.g. "--commit-sync each"), COMBFS_NETNS=1: every daemon and the client run in a network
# namespace of their own with their own address (bench/lib/netns.sh), to model separate hosts.
set -euo pipefail
MNT=${1:?usage: combfs-up.sh MOUNTPOINT}
here=$(cd "$(dirname "$0")" && pwd)
BIN=${COMBFS_BIN:-$here/../build/bin}
BENCH_DATA=${BENCH_DATA:-/var/tmp/combfs-bench}
D=$BENCH_DATA/combfs
TARGETS=${COMBFS_TARGETS:-4}
METADS=${COMBFS_METADS:-1}
STOREDS=${COMBFS_STOREDS:-1}
MIRROR=${COMBFS_MIRROR:-0}
NETNS=${COMBFS_NETNS:-0}
# shellcheck source=bench/lib/netns.sh
source "$here/lib/netns.sh"

die() { echo "combfs-up: $*" >&2; exit 1; }
[[ $STOREDS =~ ^[1-9][0-9]*$ ]] && [ "$STOREDS" -le "$TARGETS" ] || die "COMBFS_STOREDS=$STOREDS: give 1 to COMBFS_TARGETS ($TARGETS)"
[ "$MIRROR" = 0 ] || [ "$STOREDS" -ge 2 ] || die "COMBFS_MIRROR=1 needs COMBFS_STOREDS >= 2: a mirror group's targets are on different nodes"
for p in combfs-mgmtd combfs-metad combfs-stored combfs-client; do
  [ -x "$BIN/$p" ] || die "$BIN/$p not found: build it (cmake -S . -B build -G Ninja && ninja -C build $p) or set COMBFS_BIN"
done
[ -e "$D/mgmtd.pid" ] && die "$D holds a running cluster: run bench/combfs-down.sh $MNT first"
mkdir -p "$D" "$MNT"
mountpoint -q "$MNT" && die "$MNT is already a mount point"
(umask 077; head -c 32 /dev/urandom | base64 > "$D/secret")

# Prints the daemon's log tail and fails.
failed() { # name why
  echo "combfs-up: $1 $2; last lines of $D/$1.log:" >&2
  tail -n 20 "$D/$1.log" >&2 2>/dev/null || true
  exit 1
}

# stored, stored2, stored3...: the first keeps the name it had when there was only one.
stored_name() { if [ "$1" = 1 ]; then echo stored; else echo "stored$1"; fi; }

# The address NAME listens on, and the command prefix that runs a program there.
addr_of() { if [ "$NETNS" = 1 ]; then netns_addr "$1"; else echo 127.0.0.1; fi; }
run_in() { if [ "$NETNS" = 1 ]; then netns_run "$1"; fi; }
if [ "$NETNS" = 1 ]; then
  nodes=(mgmtd client)
  for ((s = 1; s <= STOREDS; s++)); do nodes+=("$(stored_name "$s")"); done
  for ((m = 1; m <= METADS; m++)); do nodes+=("metad$m"); done
  netns_up "${nodes[@]}" || die "cannot create the network namespaces (needs root and iproute2)"
fi

# start NAME PROGRAM ARGS... — starts a daemon in the background, records its pid (bash forks and
# execs the program, so $! is the daemon itself; setsid would fork again whenever it runs as
# a process group leader, and the pid would be lost), and waits until it has written its
# port file (= ready).
start() {
  local name=$1 program=$2; shift 2
  mkdir -p "$D/$name"
  # shellcheck disable=SC2046 # run_in prints a command prefix (or nothing)
  $(run_in "$name") "$BIN/combfs-$program" "$@" --secret-file "$D/secret" --data-dir "$D/$name" --bind "$(addr_of "$name")" \
    --port 0 --port-file "$D/$name.port" --log-file "$D/$name.log" </dev/null >>"$D/$name.out" 2>&1 &
  echo $! > "$D/$name.pid"
  local pid=$! i
  for ((i = 0; i < 300; i++)); do
    [ -s "$D/$name.port" ] && return 0
    kill -0 "$pid" 2>/dev/null || failed "$name" "exited during startup (see also $D/$name.out)"
    sleep 0.1
  done
  failed "$name" "wrote no port file within 30 s"
}

start mgmtd mgmtd
MGMTD=$(addr_of mgmtd):$(cat "$D/mgmtd.port")
# shellcheck disable=SC2086 # COMBFS_METAD_ARGS is a list of words
for ((m = 1; m <= METADS; m++)); do start "metad$m" metad --mgmtd "$MGMTD" --host "$(addr_of "metad$m")" ${COMBFS_METAD_ARGS:-}; done
for ((s = 1; s <= STOREDS; s++)); do
  name=$(stored_name "$s") targets=()
  for ((t = s; t <= TARGETS; t += STOREDS)); do mkdir -p "$D/target$t"; targets+=(--target "$D/target$t"); done
  start "$name" stored --mgmtd "$MGMTD" --host "$(addr_of "$name")" "${targets[@]}"
done

# The client runs with -f (no daemonizing) so its pid is known here; it serves the mount
# until fusermount3 -u.
opts="secret=$D/secret${COMBFS_MOUNT_OPTS:+,$COMBFS_MOUNT_OPTS}"
# shellcheck disable=SC2046
$(run_in client) "$BIN/combfs-client" "$MGMTD" "$MNT" -f -o "$opts" --log-file "$D/client.log" </dev/null >>"$D/client.out" 2>&1 &
echo $! > "$D/client.pid"
pid=$!
for ((i = 0; i < 300; i++)); do
  mountpoint -q "$MNT" && break
  kill -0 "$pid" 2>/dev/null || failed client "exited before mounting (see also $D/client.out)"
  sleep 0.1
done
mountpoint -q "$MNT" || failed client "did not mount $MNT within 30 s"

# Ready means a file can be created and written: metad and the targets are known to everyone.
probe=$MNT/.combfs-up-probe.$$
ready=0
for ((i = 0; i < 100; i++)); do
  if echo ok 2>/dev/null > "$probe" && [ "$(cat "$probe" 2>/dev/null)" = ok ] && rm -f "$probe"; then ready=1; break; fi
  sleep 0.3
done
[ $ready = 1 ] || failed client "mounted, but creating and reading back a file failed for 30 s"

if [ "$MIRROR" = 1 ]; then
  [ -x "$BIN/fsctl" ] || die "$BIN/fsctl not found: build it (ninja -C build fsctl)"
  fsctl=("$BIN/fsctl" --mgmtd "$MGMTD" --secret-file "$D/secret")
  # shellcheck disable=SC2046 # run_in prints a command prefix (or nothing)
  $(run_in client) "${fsctl[@]}" addmirrorgroup --automatic >>"$D/fsctl.log" 2>&1 || failed fsctl "could not pair the targets (addmirrorgroup --automatic)"
  # New files under the root get a layout over 2 groups, as raid0 over 2 targets would.
  # shellcheck disable=SC2046
  $(run_in client) "$BIN/fsctl" setpattern --type buddymirror --numtargets 2 "$MNT" >>"$D/fsctl.log" 2>&1 ||
    failed fsctl "setpattern --type buddymirror on $MNT failed"
fi
echo "combfs mounted at $MNT (mgmtd $MGMTD, $METADS metad(s), $STOREDS stored, $TARGETS targets$([ "$MIRROR" = 1 ] && echo " in mirror groups, root buddymirror")$([ "$NETNS" = 1 ] && echo ", one network namespace per node"), state under $D)"
