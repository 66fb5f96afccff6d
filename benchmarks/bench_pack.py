"""The print pack: time and size of ``pack.pdf`` for N generated invoices (reading them is timed apart).

    .venv/bin/python benchmarks/bench_pack.py                 # 100 invoices: 80 PDF + 10 OFD + 10 XML, 2-up
    .venv/bin/python benchmarks/bench_pack.py --pdf 100 --ofd 0 --xml 0 --layout 4up

The corpus is the project's generator (``office_agent.synth.write_corpus``): PDF pages go into the pack as vector
XObjects, OFD and XML invoices are drawn at 200 dpi and placed as JPEG. Files are kept in ``.bench/pack`` and
reused. Prints one JSON line: invoices, pages, wall and CPU seconds to build the pack (the pack is one process:
on a shared machine the CPU seconds are the figure that does not depend on the neighbours), MB, pieces by kind.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "pack"


def corpus(pdf: int, ofd: int, xml: int) -> Path:
    from office_agent.synth import write_corpus

    folder = BENCH / f"corpus-{pdf}-{ofd}-{xml}"
    if not folder.is_dir():
        write_corpus(folder / "pdf", pdf, seed=11, formats=("pdf",))
        write_corpus(folder / "ofd", ofd, seed=12, formats=("ofd",))
        write_corpus(folder / "xml", xml, seed=13, formats=("xml",))
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdf", type=int, default=80)
    ap.add_argument("--ofd", type=int, default=10)
    ap.add_argument("--xml", type=int, default=10)
    ap.add_argument("--layout", default="2up")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from office_agent.batch import run_batch
    from office_agent.generate.pack import PackOptions, build_pack

    folder = corpus(args.pdf, args.ofd, args.xml)
    t0 = time.perf_counter()
    batch = run_batch([folder], workers=args.workers)
    read_s = time.perf_counter() - t0
    out = BENCH / "out" / "pack.pdf"
    t1, c1 = time.perf_counter(), time.process_time()
    pack = build_pack(batch, out, PackOptions(layout=args.layout, claimant="基准测试"))
    pack_s, pack_cpu_s = time.perf_counter() - t1, time.process_time() - c1
    size = out.stat().st_size
    kinds: dict[str, int] = {}
    for p in pack.placed:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    print(json.dumps({
        "invoices": len(batch.invoices), "placed": len(pack.placed), "left_out": len(pack.left_out),
        "layout": args.layout, "pages": pack.pages, "pack_s": round(pack_s, 2), "pack_cpu_s": round(pack_cpu_s, 2),
        "read_s": round(read_s, 2),
        "mb": round(size / 1e6, 2), "kinds": kinds, "pack_ok": pack_cpu_s <= 10 and size <= 20e6,
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
