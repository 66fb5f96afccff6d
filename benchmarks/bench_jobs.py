"""Scheduled jobs: throughput per executor, and a large run's time, coordinator memory and completeness.

    .venv/bin/python benchmarks/bench_jobs.py                  # 3,000-file throughput + 20,000 + 500 scans large run
    .venv/bin/python benchmarks/bench_jobs.py --quick          # small sizes, a smoke run (~1 minute)
    .venv/bin/python benchmarks/bench_jobs.py --large 0        # throughput only

1. Throughput: the same corpus read by ``local`` with 1 and with 2 worker processes, and by a Dask LocalCluster of
   2 worker processes (``dask://``), each into a fresh store; files/s for the whole run (scan, hash, read, store,
   ledger) and for the reading part alone.
2. A large run in a fresh process (so its peak RSS is the coordinator's own): N digital invoices plus M scans,
   time, peak RSS of the coordinator, and a count check against the store (nothing lost, nothing doubled); then
   the same job again (nothing to read: the incremental no-op).

The corpus is the project's generator: 数电 XML invoices from ``office_agent.synth.write_corpus``, and scans
made by ``office_agent.synth.scans`` from generated invoice PDFs (flatbed scans with a seal, upside down,
sideways, two invoices on one sheet, 12-MP phone photos, in turn), read through the OCR path. Without an OCR
engine scans are *skipped* (status skipped, counted, not lost).
Files are kept in ``.bench/`` and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "jobs"


def digital_corpus(count: int) -> tuple[Path, str]:
    """A folder of ``count`` 数电 XML invoices from the project's generator, and what made it."""
    folder = BENCH / f"synth-xml-{count}"
    done = BENCH / f"synth-xml-{count}.complete"  # beside the folder: a marker inside it would be read as input
    if not done.exists():
        from office_agent.synth import write_corpus

        write_corpus(folder, count, seed=7, formats=["xml"])
        done.write_text("数电 XML from office_agent.synth.write_corpus (seed 7)")
    return folder, done.read_text().strip()


SCAN_STYLES = ("scan", "scan_upside_down", "scan_sideways", "photo", "two_up")


def _scan_one(i: int) -> tuple[str, bytes]:
    """Scan ``i``: a generated invoice (any kind) rendered as PDF, then scanned or photographed in one of the
    :data:`SCAN_STYLES` by ``office_agent.synth.scans``; seeds apart from the digital corpus, so no scan repeats a
    digital invoice."""
    import random

    from office_agent.synth import make_invoice, render_file
    from office_agent.synth.scans import STYLES, scan_pdf

    rng = random.Random(f"bench-scan:{i}")
    pdf = render_file(make_invoice(rng), "pdf", rng)
    style = SCAN_STYLES[i % len(SCAN_STYLES)]
    return f"scan-{i:05d}-{style}.jpg", scan_pdf(pdf, STYLES[style], seed=i)


def scan_corpus(count: int) -> tuple[Path | None, str]:
    """``count`` scans and photos of generated invoices (two worker processes draw them; kept for reuse)."""
    if count == 0:
        return None, "none"
    folder = BENCH / f"synth-scans-{count}"
    done = BENCH / f"synth-scans-{count}.complete"
    if not done.exists():
        from concurrent.futures import ProcessPoolExecutor

        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            for name, data in pool.map(_scan_one, range(count), chunksize=8):
                (folder / name).write_bytes(data)
        styles = ", ".join(SCAN_STYLES)
        done.write_text(f"office_agent.synth.scans of generated invoice PDFs ({styles}, in turn)")
    return folder, done.read_text().strip()


def write_job(name: str, inputs: list[Path], executor: str = "local", workers: int | None = None) -> Path:
    base = BENCH / "runs" / name
    if base.exists():
        subprocess.run(["rm", "-rf", str(base)], check=True)
    base.mkdir(parents=True)
    lines = [f"name = {json.dumps(name)}", f"inputs = {json.dumps([str(p) for p in inputs])}", 'output = "out"']
    lines.append(f'executor = "{executor}"')
    if workers is not None:
        lines.append(f"workers = {workers}")
    job = base / "job.toml"
    job.write_text("\n".join(lines) + "\n")
    return job


def run_child(job: Path) -> dict[str, Any]:
    """``run_job`` in a fresh interpreter: its peak RSS is the coordinator's alone (workers are other processes)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(job)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if proc.returncode != 0:
        raise SystemExit(f"child run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(job_path: Path) -> None:
    from office_agent.jobs import Store, load_job, run_job

    job = load_job(job_path)
    samples: list[tuple[float, float]] = []  # (seconds since start, RSS MB) of this process, the coordinator
    stop = threading.Event()

    def sample() -> None:
        import psutil

        me = psutil.Process()
        while not stop.wait(0.2):
            samples.append((time.perf_counter() - t0, me.memory_info().rss / 2**20))

    t0 = time.perf_counter()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    report = run_job(job)
    seconds = time.perf_counter() - t0
    stop.set()
    t = report.timings
    read_end = t.get("scan", 0) + t.get("hash", 0) + t.get("read", 0)
    before_ledger = [mb for at, mb in samples if at <= read_end]
    with Store.open(job.store_url) as store:
        stats = store.stats()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ledger_rows = sum(1 for _ in (job.output / "ledger.jsonl").open(encoding="utf-8"))
    out = {"seconds": seconds, "rss_mb": rss, "counts": report.counts, "ledger": report.ledger, "store": stats}
    out["ledger_rows"] = ledger_rows
    out["executor"] = report.executor
    out["timings"] = report.timings
    out["ledger_written"] = report.ledger_written
    out["rss_reading_mb"] = max(before_ledger, default=0.0)
    print(json.dumps(out, default=str))


def throughput(count: int) -> None:
    folder, made_by = digital_corpus(count)
    n = sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    print(f"\n## Throughput: {n} files ({made_by}), fresh store each run, 2-core machine\n")
    print("| executor | whole run s | files/s (whole run) | reading s | files/s (reading) | ledger s | invoices |")
    print("|---|---:|---:|---:|---:|---:|---:|")

    def row(label: str, res: dict[str, Any]) -> None:
        t = res["timings"]
        print(
            f"| {label} | {res['seconds']:.1f} | {n / res['seconds']:.0f} | {t['read']:.1f} | "
            f"{n / t['read']:.0f} | {t['ledger']:.1f} | {res['store']['invoices']} |"
        )

    for label, executor, workers in (("local, 1 worker", "local", 1), ("local, 2 workers", "local", 2)):
        row(label, run_child(write_job(label.replace(", ", "-").replace(" ", ""), [folder], executor, workers)))
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        row("Dask LocalCluster, 2 worker processes", run_child(write_job("dask-2", [folder], f"dask://{address}")))


def large(count: int, scans: int) -> None:
    folder, made_by = digital_corpus(count)
    scan_folder, scans_by = scan_corpus(scans)
    inputs = [folder] + ([scan_folder] if scan_folder else [])
    job = write_job("large", inputs, "local", 2)
    res = run_child(job)
    again = run_child(job)
    st, led = res["store"], res["ledger"]
    expect_files = count + scans
    print(f"\n## Large run: {count} digital ({made_by}) + {scans} scans ({scans_by}), local, 2 workers\n")
    t = {k: round(v, 1) for k, v in res["timings"].items()}
    print(
        f"- first run: {res['seconds']:.1f} s ({expect_files / res['seconds']:.0f} files/s; phases {t}), "
        f"coordinator peak RSS {res['rss_mb']:.0f} MB ({res['rss_reading_mb']:.0f} MB until the ledger step)"
    )
    print(f"- store: {st['present_files']} files present, {st['contents']} contents, {st['invoices']} invoice records")
    print(
        f"- ledger: {led.get('invoices')} invoices, ok {led.get('ok', 0)}, partial {led.get('partial', 0)}, "
        f"failed {led.get('failed', 0)}, skipped {led.get('skipped', 0)}; {res['ledger_rows']} rows in ledger.jsonl"
    )
    print(
        f"- same job again: {again['seconds']:.1f} s, counts {again['counts']}, "
        f"ledger rewritten: {again['ledger_written']}"
    )
    lost = expect_files - st["present_files"]
    ok = lost == 0 and st["contents"] == expect_files and st["invoices"] >= count
    print(
        f"- nothing lost: {'yes' if ok else 'NO'} (files {st['present_files']}/{expect_files}, "
        f"invoice records {st['invoices']} for {count} digital invoices)"
    )
    if scans and led.get("skipped", 0) >= scans:
        print("- scans: every scan skipped (no OCR engine reads these page images here): counted, not lost")
    elif scans:
        partial = led.get("partial", 0)
        print(f"- scans: read through the OCR path ({partial} partial records: a check failed or a field is missing)")
    if not ok:
        raise SystemExit(1)


def rebuild(sizes: list[int]) -> None:
    """Peak RSS of a run that only rebuilds the ledger from a store of N invoices (nothing to read)."""
    print("\n## Ledger rebuilt from the store (nothing to read), fresh process each\n")
    print("| invoices in the store | rebuild s | coordinator peak RSS MB | RSS MB before the ledger step |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        folder, _ = digital_corpus(n)
        job = write_job(f"rebuild-{n}", [folder], "local", 2)
        run_child(job)  # reads the corpus into the store
        for name in ("ledger.xlsx", "ledger.csv", "ledger.jsonl"):
            (job.parent / "out" / name).unlink()
        res = run_child(job)  # the store is complete and unchanged: this run only rebuilds the ledger
        assert res["ledger_written"] and res["ledger_rows"] == res["store"]["invoices"], res
        print(
            f"| {res['store']['invoices']:,} | {res['timings']['ledger']:.1f} | {res['rss_mb']:.0f} | "
            f"{res['rss_reading_mb']:.0f} |"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.add_argument("--throughput", type=int, default=None, help="files in the throughput corpus (default 3000)")
    ap.add_argument("--large", type=int, default=None, help="digital invoices in the large run (default 20000)")
    ap.add_argument("--scans", type=int, default=None, help="scans in the large run (default 500)")
    ap.add_argument(
        "--rebuild", default="", help="store sizes for the rebuild-only memory table, e.g. 5000,20000 (default none)"
    )
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    n_tp = args.throughput if args.throughput is not None else (400 if args.quick else 3000)
    n_large = args.large if args.large is not None else (2000 if args.quick else 20_000)
    n_scans = args.scans if args.scans is not None else (50 if args.quick else 500)
    print(f"# bench_jobs ({os.cpu_count()} cores)")
    if args.rebuild:
        rebuild([int(x) for x in args.rebuild.split(",")])
    if n_tp:
        throughput(n_tp)
    if n_large:
        large(n_large, n_scans)


if __name__ == "__main__":
    main()
