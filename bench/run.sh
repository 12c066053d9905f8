#!/usr/bin/env bash
# bench/run.sh — the side-by-side benchmark in one command (see bench/README.md).
#
# Installs what it needs, builds combfs, measures the machine's limits, then for each file
# system in turn (local directory, combfs, GlusterFS, MooseFS, all on this machine) brings
# it up, runs the same workloads, and tears it down. Prints one table and writes
# bench/results/<date>.json and .csv (raw tool output in bench/results/<date>/).
# Every step is bounded in time; everything started is torn down on exit, failure or ^C.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  cat <<EOF
usage: bench/run.sh [--only FS[,FS...]] [--size SIZE] [--files N] [--quick] [--no-build]

  --only LIST    file systems to run, from: local,combfs,combfs-mirror,glusterfs,moosefs
                 (default: all; combfs-mirror is combfs with 2 stored daemons whose 4
                 targets form 2 mirror groups, files buddymirror over both: data rows only)
  --size SIZE    data per throughput workload, e.g. 256M or 2G (default 2G)
  --files N      entries per metadata run (default 10000)
  --quick        a short run: --size 256M --files 2000, 10 s random reads
  --no-build     use the programs already in the build directory

environment: BUILD_DIR (default ./build), BENCH_DATA (scratch space, default
/var/tmp/combfs-bench), PEERS_DIR (default ../shared/bench/peers), NINJA_JOBS (default 2)
EOF
  exit "${1:-0}"
}

ONLY=local,combfs,combfs-mirror,glusterfs,moosefs
SIZE=2G
FILES=10000
RAND_SECONDS=30
MD_PHASE_SECONDS=60
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --only) ONLY=${2:?--only needs a list}; shift 2 ;;
    --only=*) ONLY=${1#*=}; shift ;;
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --size=*) SIZE=${1#*=}; shift ;;
    --files) FILES=${2:?--files needs a value}; shift 2 ;;
    --files=*) FILES=${1#*=}; shift ;;
    --quick) SIZE=256M; FILES=2000; RAND_SECONDS=10; MD_PHASE_SECONDS=20; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

# SIZE in MiB, a multiple of 4 so the 4 writers of the N-1 and N-N workloads get equal shares.
case $SIZE in
  *[gG]) SIZE_MIB=$(( ${SIZE%[gG]} * 1024 )) ;;
  *[mM]) SIZE_MIB=${SIZE%[mM]} ;;
  *) die "--size $SIZE: give it in M or G, e.g. 256M or 2G" ;;
esac
[[ $SIZE_MIB =~ ^[0-9]+$ ]] && [ "$SIZE_MIB" -ge 16 ] || die "--size $SIZE: use at least 16M"
SIZE_MIB=$(( SIZE_MIB / 4 * 4 ))
QUARTER_MIB=$(( SIZE_MIB / 4 ))
[[ $FILES =~ ^[0-9]+$ ]] && [ "$FILES" -ge 4 ] || die "--files $FILES: give a number >= 4"

SELECTED=()
for fs in local combfs combfs-mirror glusterfs moosefs; do
  [[ ",$ONLY," == *",$fs,"* ]] && SELECTED+=("$fs")
done
for fs in ${ONLY//,/ }; do
  case $fs in local|combfs|combfs-mirror|glusterfs|moosefs) ;; *) die "--only: unknown file system '$fs' (local, combfs, combfs-mirror, glusterfs, moosefs)" ;; esac
done
[ ${#SELECTED[@]} -gt 0 ] || die "--only selected no file system"
[ "$(id -u)" -eq 0 ] || die "run as root: the peers mount file systems and the workloads drop the page cache"

BUILD_DIR=${BUILD_DIR:-$repo/build}
BIN=$BUILD_DIR/bin
export BENCH_DATA=${BENCH_DATA:-/var/tmp/combfs-bench}
export PEER_DATA=$BENCH_DATA/peers
PEERS_DIR=${PEERS_DIR:-$repo/../shared/bench/peers}
STAMP=$(date +%Y-%m-%d-%H%M%S)
OUT=$repo/bench/results
RAW=$OUT/$STAMP
RECORDS=$RAW/records.jsonl
mkdir -p "$RAW" "$BENCH_DATA"
: > "$RECORDS"
results() { python3 "$here/results.py" "$@"; }

# ---- teardown on any exit --------------------------------------------------------------
CUR_FS=""
CUR_MNT=""
is_combfs() { [ "$1" = combfs ] || [ "$1" = combfs-mirror ]; }
down_script() { # fs -> its down script
  if is_combfs "$1"; then echo "$here/combfs-down.sh"; else echo "$PEERS_DIR/$1-down.sh"; fi
}
up_script() {
  if is_combfs "$1"; then echo "$here/combfs-up.sh"; else echo "$PEERS_DIR/$1-up.sh"; fi
}
up_env() { # fs -> VAR=value words for its up script
  echo "COMBFS_BIN=$BIN"
  [ "$1" = combfs-mirror ] && echo "COMBFS_STOREDS=2 COMBFS_TARGETS=4 COMBFS_MIRROR=1"
  return 0
}
teardown() {
  if [ -n "$CUR_FS" ]; then
    log "tearing down $CUR_FS"
    # combfs-down.sh removes its state directory: keep the daemons' logs with the results.
    if is_combfs "$CUR_FS" && [ -d "$BENCH_DATA/combfs" ]; then
      mkdir -p "$RAW/$CUR_FS-logs"
      cp "$BENCH_DATA"/combfs/*.log "$BENCH_DATA"/combfs/*.out "$RAW/$CUR_FS-logs/" 2>/dev/null || true
    fi
    timeout -k 10 600 "$(down_script "$CUR_FS")" "$CUR_MNT" >>"$RAW/$CUR_FS.updown.log" 2>&1 ||
      log "teardown of $CUR_FS failed; see $RAW/$CUR_FS.updown.log"
    CUR_FS=""
  fi
}
trap teardown EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- dependencies and build ------------------------------------------------------------
install_deps() {
  local pkgs=(fio openmpi-bin libopenmpi-dev) missing=() p
  [ -x "$repo/scripts/install-deps.sh" ] && "$repo/scripts/install-deps.sh"
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >"$RAW/apt.log" 2>&1 ||
      { apt-get update -q >>"$RAW/apt.log" 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$RAW/apt.log" 2>&1; } ||
      die "installing ${missing[*]} failed; see $RAW/apt.log"
  fi
}

build() {
  local targets=(combfs-mdbench combfs-syslimits)
  [[ " ${SELECTED[*]} " == *" combfs"* ]] && targets+=(combfs-mgmtd combfs-metad combfs-stored combfs-client combfs-libbench fsctl)
  cmake -S "$repo" -B "$BUILD_DIR" -G Ninja >"$RAW/cmake.log" 2>&1 || die "cmake failed; see $RAW/cmake.log"
  # The MPI program exists only when cmake found an MPI; without it the MPI rows say why.
  ninja -C "$BUILD_DIR" -t targets all 2>/dev/null | grep -q '^combfs-mpi-checkpoint:' && targets+=(combfs-mpi-checkpoint)
  log "building ${targets[*]} in $BUILD_DIR"
  ninja -C "$BUILD_DIR" -j "${NINJA_JOBS:-2}" "${targets[@]}" >"$RAW/build.log" 2>&1 || die "build failed; see $RAW/build.log"
}

install_deps
[ $BUILD = 1 ] && build
for p in combfs-mdbench combfs-syslimits; do [ -x "$BIN/$p" ] || die "$BIN/$p missing: run without --no-build"; done
HAVE_MPI=0
[ -x "$BIN/combfs-mpi-checkpoint" ] && command -v mpirun >/dev/null && HAVE_MPI=1

# ---- bounded steps -----------------------------------------------------------------------
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# step FS WORKLOAD SECONDS KIND CMD... — runs CMD under a time limit with its output in
# $RAW/FS.WORKLOAD.out and records the figure (KIND: fio, or a results.py add-json prefix)
# or the failure. Never fails itself: one broken workload must not stop the others.
step() {
  local fs=$1 workload=$2 secs=$3 kind=$4; shift 4
  local out=$RAW/$fs.$workload.out rc=0
  log "$fs: $workload"
  timeout -k 10 "$secs" "$@" >"$out" 2>"$out.err" || rc=$?
  [ -s "$out.err" ] || rm -f "$out.err"
  if [ $rc -ne 0 ]; then
    local why="exit code $rc"; [ $rc -eq 124 ] && why="timed out after $secs s"
    log "$fs: $workload failed ($why); see $out and $out.err"
    results add-error "$RECORDS" "$fs" "$workload" "$why; see $out.err"
    return 0
  fi
  if [ "$kind" = fio ]; then
    results add-fio "$RECORDS" "$fs" "$workload" "$out" || results add-error "$RECORDS" "$fs" "$workload" "unreadable fio output $out"
  else
    results add-json "$RECORDS" "$fs" "$kind" "$out" || results add-error "$RECORDS" "$fs" "$workload" "unreadable output $out"
  fi
}

IO_SECONDS=300  # fio's cap per throughput job: a slow file system stops early, its rate still counts
FIO=(fio --ioengine=psync --group_reporting --output-format=json --runtime=$IO_SECONDS)
IO_LIMIT=$((IO_SECONDS + 180))  # + time for the final fsync and fio's setup

# seq_pair FS DIR WRITE_KEY READ_KEY — sequential write (ending with fsync), then read cold.
seq_pair() {
  local fs=$1 dir=$2
  step "$fs" "$3" $IO_LIMIT fio "${FIO[@]}" --name=seq --directory="$dir" --filename=seq.dat \
    --rw=write --bs=1M --size=${SIZE_MIB}M --end_fsync=1
  drop_caches
  if [ "$(stat -c %s "$dir/seq.dat" 2>/dev/null || echo 0)" -gt 0 ]; then
    step "$fs" "$4" $IO_LIMIT fio "${FIO[@]}" --name=seq --directory="$dir" --filename=seq.dat \
      --rw=read --bs=1M --size="$(stat -c %s "$dir/seq.dat")"
  else
    results add-error "$RECORDS" "$fs" "$4" "no file left by the write"
  fi
}

run_workloads() { # FS MOUNTPOINT [data-only]
  local fs=$1 w=$2/bench-run data_only=${3:-}
  rm -rf "$w" || true
  if ! mkdir -p "$w"; then
    results add-error "$RECORDS" "$fs" seq_write "cannot create $w"
    return 0
  fi
  seq_pair "$fs" "$w" seq_write seq_read
  drop_caches
  # O_DIRECT: with buffered reads the file ends up in the page cache within seconds and the
  # figure measures memory, not the file system.
  if [ -f "$w/seq.dat" ]; then
    step "$fs" randread_4k $((RAND_SECONDS + 120)) fio "${FIO[@]}" --name=rr --directory="$w" --filename=seq.dat \
      --rw=randread --bs=4k --numjobs=4 --size="$(stat -c %s "$w/seq.dat")" --time_based --runtime=$RAND_SECONDS \
      --norandommap --randrepeat=0 --direct=1
  else
    results add-error "$RECORDS" "$fs" randread_4k "no file left by the sequential write"
  fi
  rm -f "$w/seq.dat" || true
  step "$fs" n1_write $IO_LIMIT fio "${FIO[@]}" --name=n1 --directory="$w" --filename=shared.dat \
    --rw=write --bs=1M --numjobs=4 --size=${QUARTER_MIB}M --offset_increment=${QUARTER_MIB}M --end_fsync=1
  rm -f "$w/shared.dat" || true
  step "$fs" nn_write $IO_LIMIT fio "${FIO[@]}" --name=nn --directory="$w" \
    --rw=write --bs=1M --numjobs=4 --size=${QUARTER_MIB}M --end_fsync=1
  rm -f "$w"/nn.* || true
  drop_caches
  if [ -n "$data_only" ]; then
    rm -rf "$w" || log "$fs: could not remove $w (the file system may have failed)"
    return 0
  fi
  step "$fs" mdbench $((12 * MD_PHASE_SECONDS + 120)) mdbench "$BIN/combfs-mdbench" --dir "$w/md" \
    --files "$FILES" --procs 4 --time-limit $MD_PHASE_SECONDS --drop-caches
  if [ $HAVE_MPI = 1 ]; then
    step "$fs" mpi_checkpoint $((2 * IO_LIMIT)) mpi \
      mpirun --allow-run-as-root --oversubscribe -np 4 "$BIN/combfs-mpi-checkpoint" --file "$w/ckpt.dat" --mib $SIZE_MIB
  else
    results add-error "$RECORDS" "$fs" mpi_mpiio "combfs-mpi-checkpoint not built (no MPI found at configure time)"
  fi
  rm -rf "$w" || log "$fs: could not remove $w (the file system may have failed)"
}

# ---- machine limits --------------------------------------------------------------------
log "machine limits"
LIM=$BENCH_DATA/limits
rm -rf "$LIM"; mkdir -p "$LIM"
seq_pair limits "$LIM" disk_write disk_read
rm -rf "$LIM"
step limits memcpy 60 memcpy "$BIN/combfs-syslimits" memcpy --seconds 3
step limits tcp 60 tcp "$BIN/combfs-syslimits" tcp --seconds 3

# ---- each file system in turn ------------------------------------------------------------
for fs in "${SELECTED[@]}"; do
  mnt=$BENCH_DATA/mnt/$fs
  if mountpoint -q "$mnt" 2>/dev/null || findmnt -M "$mnt" >/dev/null 2>&1; then
    log "$mnt is still mounted from an earlier run; tearing it down"
    timeout -k 10 600 "$(down_script "$fs")" "$mnt" >>"$RAW/$fs.updown.log" 2>&1 || true
  fi
  mkdir -p "$mnt"
  log "$fs: bringing up at $mnt"
  CUR_FS=$fs CUR_MNT=$mnt
  # shellcheck disable=SC2046 # up_env prints VAR=value words
  if ! env $(up_env "$fs") timeout -k 10 300 "$(up_script "$fs")" "$mnt" >>"$RAW/$fs.updown.log" 2>&1; then
    log "$fs: bring-up failed; see $RAW/$fs.updown.log"
    results add-error "$RECORDS" "$fs" seq_write "bring-up failed; see $RAW/$fs.updown.log"
    teardown
    continue
  fi
  # Mirroring changes the data path only: the metadata rows would measure the same metad.
  if [ "$fs" = combfs-mirror ]; then run_workloads "$fs" "$mnt" data-only; else run_workloads "$fs" "$mnt"; fi
  # libcombfs: the same cluster without FUSE, through the library's C API.
  if [ "$fs" = combfs ]; then
    if [ -x "$BIN/combfs-libbench" ]; then
      step combfs libcombfs $((4 * IO_LIMIT)) libbench "$BIN/combfs-libbench" \
        --mgmtd "127.0.0.1:$(cat "$BENCH_DATA/combfs/mgmtd.port")" --secret "$BENCH_DATA/combfs/secret" \
        --dir /bench-lib --mib $SIZE_MIB --seconds $RAND_SECONDS
    else
      results add-error "$RECORDS" combfs libcombfs "$BIN/combfs-libbench missing: run without --no-build"
    fi
  fi
  log "$fs: tearing down"
  teardown
done

# ---- report --------------------------------------------------------------------------------
results report "$RECORDS" "$OUT/$STAMP" date="$(date -Iseconds)" size_mib=$SIZE_MIB files=$FILES \
  rand_seconds=$RAND_SECONDS only="$(IFS=,; echo "${SELECTED[*]}")" host="$(hostname)" \
  cores="$(nproc)" kernel="$(uname -r)" | tee "$OUT/$STAMP.txt"
