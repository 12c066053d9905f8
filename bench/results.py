#!/usr/bin/env python3
"""Collects benchmark figures and prints the comparison table (used by bench/run.sh).

  results.py add-fio  RECORDS FS WORKLOAD FIO_JSON     fio --output-format=json output
  results.py add-json RECORDS FS PREFIX JSON_FILE      mdbench / mpi checkpoint / syslimits output
  results.py add-error RECORDS FS WORKLOAD MESSAGE     a workload that failed
  results.py report RECORDS OUT_BASE [key=value ...]   prints the table, writes OUT_BASE.json/.csv

RECORDS is a JSON-lines file, one {"fs", "workload", "value"} or {"fs", "workload", "error"}
per line; the same workload measured twice keeps the last figure.
"""
import csv
import json
import sys
import time

# Workloads in table order: key, label, unit. Higher is better for all of them.
WORKLOADS = [
    ("seq_write", "seq write 1 MiB + fsync", "MiB/s"),
    ("seq_read", "seq read 1 MiB (cold cache)", "MiB/s"),
    ("n1_write", "N-1 write, 4 procs, 1 file", "MiB/s"),
    ("nn_write", "N-N write, 4 procs, 4 files", "MiB/s"),
    ("randread_4k", "4 KiB random read, 4 jobs", "IOPS"),
    ("md_single_create", "create, 1 dir", "ops/s"),
    ("md_single_stat", "stat, 1 dir", "ops/s"),
    ("md_single_unlink", "unlink, 1 dir", "ops/s"),
    ("md_single_mkdir", "mkdir, 1 dir", "ops/s"),
    ("md_single_rmdir", "rmdir, 1 dir", "ops/s"),
    ("md_parallel_create", "create, 4 dirs x 4 procs", "ops/s"),
    ("md_parallel_stat", "stat, 4 dirs x 4 procs", "ops/s"),
    ("md_parallel_unlink", "unlink, 4 dirs x 4 procs", "ops/s"),
    ("md_parallel_mkdir", "mkdir, 4 dirs x 4 procs", "ops/s"),
    ("md_parallel_rmdir", "rmdir, 4 dirs x 4 procs", "ops/s"),
    ("mpi_mpiio", "MPI checkpoint, MPI-IO, 4 ranks", "GiB/s"),
    ("mpi_posix", "MPI checkpoint, POSIX, 4 ranks", "GiB/s"),
    # libcombfs (C API, no FUSE; combfs only): bench/libbench.cc.
    ("lib_seq_write", "libcombfs: seq write 1 MiB + fsync", "MiB/s"),
    ("lib_seq_read", "libcombfs: seq read 1 MiB", "MiB/s"),
    ("lib_seq_read_batch", "libcombfs: seq read, batches of 8 x 1 MiB", "MiB/s"),
    ("lib_randread_4k_batch", "libcombfs: 4 KiB random read, batches of 64", "IOPS"),
    ("lib_n1_write", "libcombfs: N-1 write, 4 threads, 1 file", "MiB/s"),
]
FILESYSTEMS = ["local", "combfs", "combfs-mirror", "glusterfs", "moosefs"]
PEERS = ["glusterfs", "moosefs"]
LIMITS = [
    ("disk_write", "local disk seq write + fsync", "MiB/s"),
    ("disk_read", "local disk seq read (cold)", "MiB/s"),
    ("memcpy", "memcpy, 1 thread", "GiB/s"),
    ("tcp", "loopback TCP, 1 stream", "GiB/s"),
]


def append(records, rec):
    with open(records, "a") as f:
        f.write(json.dumps(rec) + "\n")


def fio_value(path, workload):
    """Aggregate bandwidth (MiB/s) or IOPS of a fio run; jobs must use group_reporting."""
    with open(path) as f:
        text = f.read()
    # fio may print warnings before the JSON document.
    doc = json.loads(text[text.index("{"):])
    jobs = doc["jobs"]
    if any(j.get("error") for j in jobs):
        raise SystemExit(f"fio reported an error for {workload}: see {path}")
    ddir = "read" if "read" in workload else "write"
    if workload.startswith("randread"):
        return sum(j[ddir]["iops"] for j in jobs)
    return sum(j[ddir]["bw_bytes"] for j in jobs) / 2**20


def load(records):
    values, errors = {}, {}
    with open(records) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            key = (r["fs"], r["workload"])
            if "error" in r:
                errors[key] = r["error"]
                values.pop(key, None)
            else:
                values[key] = r["value"]
                errors.pop(key, None)
    return values, errors


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def targets(values):
    """Per workload: (target text, met: True/False/None, detail)."""
    get = lambda fs, w: values.get((fs, w))
    out = {}

    def best_peer(w):
        peers = [get(p, w) for p in PEERS if get(p, w) is not None]
        return max(peers) if peers else None

    def at_least(w, factor, ref, ref_name):
        c = get("combfs", w)
        if c is None or ref is None or ref <= 0:
            return None, ""
        return c >= factor * ref, f"{c / ref:.2f}x {ref_name}"

    met1, d1 = at_least("seq_write", 1.5, best_peer("seq_write"), "best peer")
    met2, d2 = at_least("seq_write", 0.8, get("limits", "disk_write"), "disk")
    both = None if met1 is None or met2 is None else (met1 and met2)
    out["seq_write"] = (">=1.5x best peer, >=80% disk", both, "; ".join(x for x in (d1, d2) if x))
    met, d = at_least("seq_read", 2, best_peer("seq_read"), "best peer")
    out["seq_read"] = (">=2x best peer", met, d)
    met, d = at_least("n1_write", 0.9, get("combfs", "nn_write"), "own N-N")
    out["n1_write"] = (">=90% of combfs N-N", met, d)
    met, d = at_least("randread_4k", 2, best_peer("randread_4k"), "best peer")
    out["randread_4k"] = (">=2x best peer", met, d)
    for run in ("single", "parallel"):
        for op in ("create", "stat", "unlink"):
            w = f"md_{run}_{op}"
            met, d = at_least(w, 2, get("moosefs", w), "moosefs")
            out[w] = (">=2x moosefs", met, d)
    return out


def report(records, out_base, meta):
    values, errors = load(records)
    tg = targets(values)
    present = [fs for fs in FILESYSTEMS if any(k[0] == fs for k in list(values) + list(errors))]

    def cell(fs, w):
        if (fs, w) in values:
            return fmt(values[(fs, w)])
        return "FAILED" if (fs, w) in errors else "-"

    def ratio(w):
        c = values.get(("combfs", w))
        peers = [values[(p, w)] for p in PEERS if (p, w) in values]
        if c is None or not peers or max(peers) <= 0:
            return None
        return c / max(peers)

    header = ["workload", "unit"] + present + ["combfs/best peer", "target", "met?"]
    rows, shown_keys = [], []
    for key, label, unit in WORKLOADS:
        if not any((fs, key) in values or (fs, key) in errors for fs in present):
            continue
        shown_keys.append(key)
        t, met, detail = tg.get(key, ("", None, ""))
        r = ratio(key)
        met_text = "" if not t else ("n/a" if met is None else ("yes" if met else "NO")) + (f" ({detail})" if detail else "")
        rows.append([label, unit] + [cell(fs, key) for fs in present] + ["-" if r is None else f"{r:.2f}x", t, met_text])

    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cols: "  ".join(str(c).ljust(w) if i < 2 or i >= len(cols) - 2 else str(c).rjust(w)
                                  for i, (c, w) in enumerate(zip(cols, widths)))
    print()
    print(line(header).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r).rstrip())

    # Machine limits and how close combfs comes to them.
    lim = {k: values.get(("limits", k)) for k, _, _ in LIMITS}
    c = lambda w: values.get(("combfs", w))
    fractions = [
        ("combfs seq write / disk write", c("seq_write"), lim["disk_write"], 1),
        ("combfs seq read / disk read", c("seq_read"), lim["disk_read"], 1),
        ("combfs seq read / memcpy", c("seq_read"), lim["memcpy"], 1024),
        ("combfs seq read / loopback TCP", c("seq_read"), lim["tcp"], 1024),
        ("combfs N-N write / loopback TCP", c("nn_write"), lim["tcp"], 1024),
        # What the second copy costs: combfs-mirror writes every byte to two targets.
        ("combfs-mirror seq write / combfs", values.get(("combfs-mirror", "seq_write")), c("seq_write"), 1),
        ("combfs-mirror seq read / combfs", values.get(("combfs-mirror", "seq_read")), c("seq_read"), 1),
        ("combfs-mirror N-N write / combfs", values.get(("combfs-mirror", "nn_write")), c("nn_write"), 1),
    ]
    print()
    print("machine limits (same run)")
    for key, label, unit in LIMITS:
        v = lim[key]
        shown = "FAILED" if ("limits", key) in errors else fmt(v)
        print(f"  {label:<32} {shown:>10} {unit}")
    lines = []
    for label, num, den, scale in fractions:
        if num is None or not den:
            continue
        frac = num / (den * scale)
        lines.append((label, frac))
        print(f"  {label:<32} {100 * frac:>9.1f} %")
    for (fs, w), msg in sorted(errors.items()):
        print(f"  failed: {fs} {w}: {msg}")

    doc = {
        "date": meta.get("date", time.strftime("%Y-%m-%dT%H:%M:%S")),
        "options": meta,
        "filesystems": present,
        "results": {fs: {w: v for (f, w), v in values.items() if f == fs} for fs in present},
        "limits": {k: v for k, v in lim.items() if v is not None},
        "units": {k: u for k, _, u in WORKLOADS + LIMITS},
        "targets": {w: {"target": t, "met": m, "detail": d} for w, (t, m, d) in tg.items()},
        "combfs_fraction_of_limits": {label: f for label, f in lines},
        "errors": [{"fs": fs, "workload": w, "error": e} for (fs, w), e in sorted(errors.items())],
    }
    with open(out_base + ".json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(out_base + ".csv", "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["workload", "unit"] + present + ["combfs_over_best_peer", "target", "met"])
        for key in shown_keys:
            unit = doc["units"][key]
            t, met, _ = tg.get(key, ("", None, ""))
            r = ratio(key)
            wr.writerow([key, unit] + [values.get((fs, key), "") for fs in present] +
                        ["" if r is None else f"{r:.3f}", t, "" if met is None else ("yes" if met else "no")])
        for key, _, unit in LIMITS:
            wr.writerow([f"limit_{key}", unit, "" if lim[key] is None else lim[key]])
    print()
    print(f"results: {out_base}.json {out_base}.csv")


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    cmd, records = argv[1], argv[2]
    if cmd == "add-fio":
        fs, workload, path = argv[3:6]
        append(records, {"fs": fs, "workload": workload, "value": fio_value(path, workload)})
    elif cmd == "add-json":
        fs, prefix, path = argv[3:6]
        with open(path) as f:
            text = f.read()
        doc = json.loads(text[text.index("{"):text.rindex("}") + 1])
        for k, v in flatten(doc):
            if k in SELECT.get(prefix, {}):
                append(records, {"fs": fs, "workload": SELECT[prefix][k], "value": v})
    elif cmd == "add-error":
        fs, workload, msg = argv[3:6]
        # A failed program that measures several workloads fails each of them.
        for w in GROUPS.get(workload, [workload]):
            append(records, {"fs": fs, "workload": w, "error": msg})
    elif cmd == "report":
        meta = dict(a.split("=", 1) for a in argv[4:])
        report(records, argv[3], meta)
    else:
        raise SystemExit(__doc__)


def flatten(doc, prefix=""):
    for k, v in doc.items():
        if isinstance(v, dict):
            yield from flatten(v, f"{prefix}{k}.")
        elif isinstance(v, (int, float)):
            yield f"{prefix}{k}", v


# Which fields of the programs' JSON become which workload.
SELECT = {
    "mdbench": {f"{run}.{op}": f"md_{run}_{op}" for run in ("single", "parallel")
                for op in ("create", "stat", "unlink", "mkdir", "rmdir")},
    "mpi": {"mpiio_gibps": "mpi_mpiio", "posix_gibps": "mpi_posix"},
    "memcpy": {"memcpy_gibps": "memcpy"},
    "tcp": {"tcp_gibps": "tcp"},
    "libbench": {"seq_write_mibps": "lib_seq_write", "seq_read_mibps": "lib_seq_read",
                 "seq_read_batch_mibps": "lib_seq_read_batch", "randread_4k_batch_iops": "lib_randread_4k_batch",
                 "n1_write_mibps": "lib_n1_write"},
}

GROUPS = {"mdbench": list(SELECT["mdbench"].values()), "mpi_checkpoint": list(SELECT["mpi"].values()),
          "libcombfs": list(SELECT["libbench"].values())}

if __name__ == "__main__":
    main(sys.argv)
