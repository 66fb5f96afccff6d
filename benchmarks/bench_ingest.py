"""Speed and memory of the ingestion + extraction path, with printed figures (not a timed unit test).

    .venv/bin/python benchmarks/bench_ingest.py                 # default sizes, ~5 minutes on 2 cores
    .venv/bin/python benchmarks/bench_ingest.py --quick         # small sizes, a smoke run

What it measures (issue #2's targets):
- digital PDFs end to end (read + QR + extract + record), single process, side by side with bare pypdfium2 text
  extraction of the same files in the same run: the ratio should be at most 3x; and files/s with a worker pool
  (target: at least 100 files/s on 2 cores);
- XML and OFD files/s (target: at least 300 files/s);
- peak RSS for a 10,000-file batch, in a fresh process: the coordinator and the largest worker (target < 500 MB).
The corpus is written by the project's own generator (``office_agent.synth``) into ``.bench/`` and reused.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from office_agent.batch import process_input, run_batch
from office_agent.generate.records import invoice_record
from office_agent.ingest.sources import InputFile

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"


def corpus(kind: str, count: int, seed: int = 7) -> list[Path]:
    folder = BENCH / f"{kind}-{count}-s{seed}"
    done = BENCH / f"{folder.name}.complete"  # beside the folder: a marker inside would be read as input
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        from office_agent.synth import write_corpus  # needs the [synth] extra

        write_corpus(folder, count, seed=seed, formats=[kind])
        done.write_text(f"{time.perf_counter() - t:.1f}s\n")
    return sorted(p for p in folder.rglob(f"*.{kind}") if p.is_file())


def bare_pdfium(paths: list[Path]) -> float:
    t = time.perf_counter()
    for p in paths:
        pdf = pdfium.PdfDocument(p)
        for page in pdf:
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
        pdf.close()
    return time.perf_counter() - t


def side_by_side(paths: list[Path], rounds: int = 3) -> tuple[float, float, int]:
    """Bare PDFium and office-agent on the same files, interleaved, best of ``rounds`` each (a shared VM is noisy)."""
    bare_pdfium(paths[:20])  # warm the page cache and PDFium
    ours_single(paths[:20])
    gc.collect()
    bare, ours, n = [], [], 0
    for _ in range(rounds):
        bare.append(bare_pdfium(paths))
        elapsed, n = ours_single(paths)
        ours.append(elapsed)
    return min(bare), min(ours), n


def real_pdfs(copies: int = 50) -> list[Path]:
    """The real PDFs beside the clone, copied ``copies`` times (they are read, never committed)."""
    source = ROOT.parent / "shared" / "realdata" / "cn" / "pdf"
    if not source.is_dir():
        return []
    folder = BENCH / "real-pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(source.glob("*.pdf")):
        data = pdf.read_bytes()
        for i in range(copies):
            target = folder / f"{pdf.stem}-{i:02d}.pdf"
            if not target.exists():
                target.write_bytes(data)
    return sorted(folder.glob("*.pdf"))


def ours_single(paths: list[Path]) -> tuple[float, int]:
    t = time.perf_counter()
    n = 0
    for p in paths:
        for result in process_input(InputFile(p, str(p))):
            for inv in result.invoices:
                invoice_record(inv)
                n += 1
    return time.perf_counter() - t, n


def pooled(folder: Path, workers: int) -> tuple[float, int, int]:
    t = time.perf_counter()
    result = run_batch([folder], workers=workers)
    elapsed = time.perf_counter() - t
    failed = sum(1 for f in result.files if f.status.value == "failed")
    return elapsed, len(result.invoices), failed


def memory_run(folders: list[Path], workers: int) -> dict[str, float]:
    """A fresh interpreter runs the batch, so the peak RSS is the batch's own."""
    code = (
        "import json,resource,sys\n"
        "from office_agent.batch import run_batch\n"
        "from office_agent.generate.records import iter_records\n"
        f"r = run_batch({[str(f) for f in folders]!r}, workers={workers})\n"
        "n = sum(1 for _ in iter_records(r.invoices))\n"
        "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'files': len(r.files), 'invoices': n, 'coordinator_mb': me, 'worker_mb': kids,"
        " 'failed': sum(1 for f in r.files if f.status.value == 'failed')}))\n"
    )
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    stats["seconds"] = time.perf_counter() - t
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdf", type=int, default=1000)
    ap.add_argument("--xml", type=int, default=2000)
    ap.add_argument("--ofd", type=int, default=2000)
    ap.add_argument("--memory-files", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = ap.parse_args()
    if args.quick:
        args.pdf, args.xml, args.ofd, args.memory_files = 100, 200, 200, 600
    rows: list[tuple[str, str, str]] = []
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, workers={args.workers}")

    pdfs = corpus("pdf", args.pdf)
    base, ours, n = side_by_side(pdfs)
    ratio = ours / base
    real = real_pdfs()
    if real:
        rbase, rours, _ = side_by_side(real)
        print(f"PDF  real invoices (../shared/realdata/cn/pdf x{len(real) // 6}): bare {rbase * 1000 / len(real):.2f} "
              f"ms/file, office-agent {rours * 1000 / len(real):.2f} ms/file -> {rours / rbase:.2f}x")  # fmt: skip
        rows.append(("real digital PDFs (6 files x 50), end to end vs bare (1 process)",
                     f"{rours * 1000 / len(real):.2f} vs {rbase * 1000 / len(real):.2f} ms/file",
                     f"{rours / rbase:.2f}x (≤ 3x)"))  # fmt: skip
    pool_s, _, pool_failed = pooled(pdfs[0].parent, args.workers)
    print(f"PDF  bare pypdfium2 text: {len(pdfs) / base:8.1f} files/s ({base * 1000 / len(pdfs):.2f} ms/file)")
    print(f"PDF  office-agent, 1 process: {len(pdfs) / ours:8.1f} files/s ({ours * 1000 / len(pdfs):.2f} ms/file)"
          f" -> {ratio:.2f}x bare pypdfium2; {n} invoices")  # fmt: skip
    print(f"PDF  office-agent, {args.workers} workers: {len(pdfs) / pool_s:8.1f} files/s; {pool_failed} failed")
    rows += [
        (
            "synthetic digital PDF, bare pypdfium2 text extraction (1 process)",
            f"{len(pdfs) / base:.0f} files/s",
            "baseline",
        ),
        (
            "synthetic digital PDF, end to end (1 process)",
            f"{len(pdfs) / ours:.0f} files/s",
            f"{ratio:.2f}x baseline (≤ 3x)",
        ),
        (f"digital PDF, end to end ({args.workers} workers)", f"{len(pdfs) / pool_s:.0f} files/s", "≥ 100 files/s"),
    ]
    for kind, count in (("xml", args.xml), ("ofd", args.ofd)):
        files = corpus(kind, count)
        single, _ = ours_single(files[: min(len(files), 500)])
        s, n_inv, n_failed = pooled(files[0].parent, args.workers)
        print(
            f"{kind.upper():4s} 1 process: {min(len(files), 500) / single:8.1f} files/s; "
            f"{args.workers} workers: {len(files) / s:8.1f} files/s; {n_inv} invoices, {n_failed} failed"
        )
        rows.append((f"{kind.upper()}, end to end ({args.workers} workers)", f"{len(files) / s:.0f} files/s", "≥ 300"))
    # memory: a batch of N files mixing the formats
    share = args.memory_files // 10
    mem_folders = [
        corpus("xml", share * 4, seed=11)[0].parent,
        corpus("ofd", share * 4, seed=12)[0].parent,
        corpus("pdf", share * 2, seed=13)[0].parent,
    ]
    stats = memory_run(mem_folders, args.workers)
    print(
        f"MEM  {stats['files']} files ({stats['invoices']} invoices, {stats['failed']} failed) in "
        f"{stats['seconds']:.1f}s: coordinator peak RSS {stats['coordinator_mb']:.0f} MB, "
        f"largest worker {stats['worker_mb']:.0f} MB"
    )
    rows.append(
        (
            f"{stats['files']:,} files (40% XML, 40% OFD, 20% PDF), peak RSS",
            f"{stats['coordinator_mb']:.0f} MB coordinator, {stats['worker_mb']:.0f} MB largest worker",
            "< 500 MB",
        )
    )
    print("\n| measure | result | target |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\n(peak RSS of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
