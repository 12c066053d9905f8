#!/usr/bin/env bash
# bench/commit-sync.sh — what durability costs metadata: combfs-mdbench on combfs with metad's
# --commit-sync off (answers before the disk has the change: the rates before group commit),
# each (one WAL fsync per change) and group (one fsync per batch: the default), in one run.
#
#   sudo bench/commit-sync.sh [--modes "off each group"] [--files 10000] [--procs 4] [--time-limit 20]
#
# Each mode gets a fresh cluster (bench/combfs-up.sh with COMBFS_METAD_ARGS) and the same
# mdbench as bench/run.sh's metadata rows (one process, then --procs processes). Prints one
# table and writes bench/results/commit-sync-<date>.json. Not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${COMBFS_BIN:-$here/../build/bin}
export BENCH_DATA=${BENCH_DATA:-/var/tmp/combfs-bench}
MODES="off each group" FILES=10000 PROCS=4 LIMIT=20
while [ $# -gt 0 ]; do
  case $1 in
    --modes) MODES=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --procs) PROCS=$2; shift 2 ;;
    --time-limit) LIMIT=$2; shift 2 ;;
    *) echo "usage: $0 [--modes LIST] [--files N] [--procs P] [--time-limit S]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "commit-sync: run as root (FUSE mount, dropping caches)" >&2; exit 1; }
[ -x "$BIN/combfs-mdbench" ] || { echo "commit-sync: $BIN/combfs-mdbench missing: build the repository first" >&2; exit 1; }

MNT=$BENCH_DATA/commit-sync-mnt
OUT=$here/results/commit-sync-$(date -u +%Y-%m-%dT%H%M%SZ).json
mkdir -p "$here/results" "$BENCH_DATA"
trap '"$here/combfs-down.sh" "$MNT" >/dev/null 2>&1 || true' EXIT

runs=()
for mode in $MODES; do
  echo "== --commit-sync $mode" >&2
  "$here/combfs-down.sh" "$MNT" >/dev/null 2>&1 || true
  COMBFS_BIN=$BIN COMBFS_METAD_ARGS="--commit-sync $mode" timeout -k 10 300 "$here/combfs-up.sh" "$MNT" >&2
  json=$(timeout -k 10 $((24 * LIMIT + 120)) "$BIN/combfs-mdbench" --dir "$MNT/md" --files "$FILES" \
    --procs "$PROCS" --time-limit "$LIMIT" --drop-caches)
  runs+=("{\"commit_sync\": \"$mode\", \"result\": $json}")
  "$here/combfs-down.sh" "$MNT" >&2
done

{
  echo "{\"date\": \"$(date -u +%FT%TZ)\", \"procs\": $PROCS, \"files\": $FILES, \"runs\": ["
  (IFS=,; echo "${runs[*]}")
  echo "]}"
} > "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
phases = ["create", "stat", "unlink", "mkdir", "rmdir"]
print(f"metadata rates by metad --commit-sync, {d['files']} entries (ops/s)")
print(f"{'commit-sync':12} {'run':>8} " + " ".join(f"{p:>8}" for p in phases))
for r in d["runs"]:
    for run in ("single", "parallel"):
        x = r["result"][run]
        print(f"{r['commit_sync']:12} {run + '/' + str(x['procs']):>8} " + " ".join(f"{x[p]:>8.0f}" for p in phases))
print(f"written to {sys.argv[1]}")
PY
