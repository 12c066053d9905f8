#!/usr/bin/env bash
# bench/metadata-scaling.sh — how metadata rates scale with the number of metads.
#
#   sudo bench/metadata-scaling.sh [--metads "1 2 4"] [--procs 8] [--files 16000]
#                                  [--time-limit 30] [--modes "loopback netns"]
#
# For every metad count and mode it starts a combfs cluster (bench/combfs-up.sh with
# COMBFS_METADS; mode netns puts every daemon and the client in a network namespace of its
# own, bench/lib/netns.sh), runs combfs-mdbench with --procs processes, each in its own
# directory (the directories are spread over the metads by the default balanced placement),
# and tears it down. Prints one table and writes bench/results/metadata-scaling-<date>.json.
# Not a test: numbers depend on the machine (on 2 cores every daemon shares the same CPUs,
# so more metads add parallelism only where one metad leaves a core idle).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${COMBFS_BIN:-$here/../build/bin}
export BENCH_DATA=${BENCH_DATA:-/var/tmp/combfs-bench}
METADS="1 2 4" PROCS=8 FILES=16000 LIMIT=30 MODES="loopback netns"
while [ $# -gt 0 ]; do
  case $1 in
    --metads) METADS=$2; shift 2 ;;
    --procs) PROCS=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --time-limit) LIMIT=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    *) echo "usage: $0 [--metads LIST] [--procs P] [--files N] [--time-limit S] [--modes 'loopback netns']" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "metadata-scaling: run as root (FUSE mounts, network namespaces, dropping caches)" >&2; exit 1; }
[ -x "$BIN/combfs-mdbench" ] || { echo "metadata-scaling: $BIN/combfs-mdbench missing: build the repository first" >&2; exit 1; }

MNT=$BENCH_DATA/scaling-mnt
OUT=$here/results/metadata-scaling-$(date -u +%Y-%m-%dT%H%M%SZ).json
mkdir -p "$here/results" "$BENCH_DATA"
trap '"$here/combfs-down.sh" "$MNT" >/dev/null 2>&1 || true' EXIT

runs=()
for mode in $MODES; do
  for m in $METADS; do
    netns=0; [ "$mode" = netns ] && netns=1
    echo "== $mode, $m metad(s)" >&2
    "$here/combfs-down.sh" "$MNT" >/dev/null 2>&1 || true
    COMBFS_BIN=$BIN COMBFS_METADS=$m COMBFS_NETNS=$netns timeout -k 10 300 "$here/combfs-up.sh" "$MNT" >&2
    json=$(timeout -k 10 $((12 * LIMIT + 120)) "$BIN/combfs-mdbench" --dir "$MNT/md" --files "$FILES" \
      --procs "$PROCS" --time-limit "$LIMIT" --drop-caches --parallel-only)
    runs+=("{\"mode\": \"$mode\", \"metads\": $m, \"result\": $json}")
    "$here/combfs-down.sh" "$MNT" >&2
  done
done

{
  echo "{\"date\": \"$(date -u +%FT%TZ)\", \"procs\": $PROCS, \"files\": $FILES, \"runs\": ["
  (IFS=,; echo "${runs[*]}")
  echo "]}"
} > "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"metadata rates, {d['procs']} processes in their own directories, {d['files']} entries (ops/s)")
print(f"{'mode':10} {'metads':>6} {'create':>9} {'stat':>9} {'unlink':>9} {'mkdir':>9} {'rmdir':>9}  create vs 1 metad")
base = {}
for r in d["runs"]:
    p = r["result"]["parallel"]
    base.setdefault(r["mode"], p["create"])
    print(f"{r['mode']:10} {r['metads']:>6} {p['create']:>9.0f} {p['stat']:>9.0f} {p['unlink']:>9.0f} "
          f"{p['mkdir']:>9.0f} {p['rmdir']:>9.0f}  {p['create'] / base[r['mode']]:.2f}x")
print(f"written to {sys.argv[1]}")
PY
