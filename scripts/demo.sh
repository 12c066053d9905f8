#!/usr/bin/env bash
# A small combfs cluster on this machine, to look at and play with:
# mgmtd, one metad and one stored daemon with 4 storage targets on 127.0.0.1,
# mounted at .demo/mnt (or $COMBFS_DEMO_DIR/mnt).
#
#   ./scripts/demo.sh          build, start a fresh cluster, write a 64 MiB file and show where it went
#   ./scripts/demo.sh stop     unmount and stop every process the demo started
#   ./scripts/demo.sh status   show what is running
#
# Ports are the defaults (mgmtd 8008, metad 8005, stored 8003) unless taken;
# then the daemon picks a free one. State, logs and pid files live in the demo
# directory; each start begins with empty data directories.
set -euo pipefail
# shellcheck source=scripts/lib/build.sh
source "$(dirname "$0")/lib/build.sh"
# shellcheck source=scripts/lib/proc.sh
source "$(dirname "$0")/lib/proc.sh"

DEMO_DIR=$(realpath -m "${COMBFS_DEMO_DIR:-$COMBFS_ROOT/.demo}")
RUN=$DEMO_DIR/run
LOGS=$DEMO_DIR/logs
DATA=$DEMO_DIR/data
MNT=$DEMO_DIR/mnt
SECRET=$DEMO_DIR/secret
BIN=$BUILD_DIR/bin
DAEMONS=(mgmtd metad stored) # start order; stop goes backwards

# name -> program, for pid checks.
program_of() {
  case $1 in
    client) echo combfs-client ;;
    *) echo "combfs-$1" ;;
  esac
}

stop_demo() {
  if is_mounted "$MNT"; then
    say "unmounting $MNT"
    fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" || echo "warning: could not unmount $MNT" >&2
  fi
  local name pid
  for name in client stored metad mgmtd; do
    [ -f "$RUN/$name.pid" ] || continue
    pid=$(cat "$RUN/$name.pid")
    if pid_is "$pid" "$(program_of "$name")"; then
      say "stopping $name (pid $pid)"
      stop_pid "$pid" "$(program_of "$name")"
    fi
    rm -f "$RUN/$name.pid" "$RUN/$name.port"
  done
}

status_demo() {
  local name pid any=0
  for name in "${DAEMONS[@]}" client; do
    pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
    if pid_is "$pid" "$(program_of "$name")"; then
      any=1
      printf '%-7s running, pid %s%s\n' "$name" "$pid" \
        "$([ -s "$RUN/$name.port" ] && echo ", port $(cat "$RUN/$name.port")")"
    else
      printf '%-7s not running\n' "$name"
    fi
  done
  is_mounted "$MNT" && echo "mounted at $MNT" || echo "$MNT is not mounted"
  return $((1 - any))
}

# start_bg NAME ARGS...: runs a program in its own session, records its pid.
start_bg() {
  local name=$1
  shift
  setsid "$@" </dev/null >>"$LOGS/$name.out" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

fail_start() {
  echo "error: $1" >&2
  local f
  for f in "$LOGS"/*; do
    [ -s "$f" ] || continue
    echo "---- last lines of $f ----" >&2
    tail -n 20 "$f" >&2
  done
  echo "stopping what was started" >&2
  stop_demo
  exit 1
}

# start_daemon NAME DEFAULT_PORT ARGS...: the default port when free, else any.
start_daemon() {
  local name=$1 port=$2
  shift 2
  port_in_use "$port" && {
    echo "port $port is taken; $name picks a free one"
    port=0
  }
  start_bg "$name" "$BIN/$(program_of "$name")" "$@" --bind 127.0.0.1 --port "$port" \
    --port-file "$RUN/$name.port" --log-file "$LOGS/$name.log"
}

wait_ready() {
  local name=$1 rc=0
  wait_for_file "$RUN/$name.port" "$(cat "$RUN/$name.pid")" 30 || rc=$?
  case $rc in
    0) echo "$name listening on 127.0.0.1:$(cat "$RUN/$name.port")" ;;
    1) fail_start "$name exited during startup" ;;
    *) fail_start "$name did not become ready within 30 s" ;;
  esac
}

start_demo() {
  ./scripts/install-deps.sh
  configure_build
  build "${COMBFS_PROGRAMS[@]}"

  stop_demo # a previous demo, if any
  say "starting a fresh cluster in $DEMO_DIR"
  rm -rf "$DATA" "$LOGS" "$RUN"
  mkdir -p "$DATA" "$LOGS" "$RUN" "$MNT"
  if [ ! -s "$SECRET" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET")
  fi
  chmod 600 "$SECRET"

  start_daemon mgmtd 8008 --secret-file "$SECRET" --data-dir "$DATA/mgmtd"
  wait_ready mgmtd
  local mgmtd
  mgmtd=127.0.0.1:$(cat "$RUN/mgmtd.port")
  # Storage before metad: metad places files on the targets of the map it has.
  local targets=() t
  for t in 0 1 2 3; do
    mkdir -p "$DATA/stored/target$t"
    targets+=(--target "$DATA/stored/target$t")
  done
  start_daemon stored 8003 --mgmtd "$mgmtd" --secret-file "$SECRET" --data-dir "$DATA/stored" \
    --host 127.0.0.1 "${targets[@]}"
  wait_ready stored
  start_daemon metad 8005 --mgmtd "$mgmtd" --secret-file "$SECRET" --data-dir "$DATA/metad" --host 127.0.0.1
  wait_ready metad

  say "mounting at $MNT"
  start_bg client "$BIN/combfs-client" "$mgmtd" "$MNT" -o "secret=$SECRET" -f --log-file "$LOGS/client.log"
  local i
  for ((i = 0; i < 300; i++)); do
    is_mounted "$MNT" && break
    pid_is "$(cat "$RUN/client.pid")" combfs-client || fail_start "combfs-client exited before mounting"
    sleep 0.1
  done
  is_mounted "$MNT" || fail_start "no mount at $MNT after 30 s"

  say "writing a 64 MiB file"
  dd if=/dev/urandom of="$MNT/demo.bin" bs=1M count=64 conv=fsync 2>&1 | tail -n 1
  local fsctl=("$BIN/fsctl") admin=(--mgmtd "$mgmtd" --secret-file "$SECRET")
  say "fsctl getentryinfo $MNT/demo.bin"
  "${fsctl[@]}" getentryinfo "$MNT/demo.bin"
  say "fsctl listnodes"
  "${fsctl[@]}" "${admin[@]}" listnodes
  say "fsctl listtargets"
  "${fsctl[@]}" "${admin[@]}" listtargets
  say "ls -l $MNT"
  ls -l "$MNT"

  cat <<MSG

The cluster is running at $MNT (logs in $LOGS). Try:
  cp -r /usr/share/doc/bash $MNT/
  mkdir $MNT/two && $BIN/fsctl setpattern --numtargets 2 $MNT/two
  $BIN/fsctl ${admin[*]} listtargets
Stop it with:
  ./scripts/demo.sh stop
MSG
}

cd "$COMBFS_ROOT"
case ${1:-start} in
  start) start_demo ;;
  stop) stop_demo && say "demo stopped" ;;
  status) status_demo ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
