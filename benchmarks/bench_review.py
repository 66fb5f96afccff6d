"""The review page on a large folder: how long the page takes to open, and a save (correction + ledger rebuilt).

    .venv/bin/python benchmarks/bench_review.py                 # 1,000 generated 数电 XML invoices
    .venv/bin/python benchmarks/bench_review.py --count 200     # a smaller folder

The folder is the project's generator (``office_agent.synth.write_corpus``, XML: fast to make and to read), kept
in ``.bench/review/`` and reused. Reading the folder (``run_batch``, what ``office-agent review`` does once before
it prints its URL) is timed apart from the page. Then, over HTTP on 127.0.0.1 against the real uvicorn server:

* **open**: ``GET /?status=all`` — the whole list (every invoice) and the first card with its page picture;
* **card**: ``GET /card/ID`` — the next invoice (what j / ↓ fetch);
* **save**: ``POST /correct/ID`` — a correction written to corrections.jsonl, the corrections applied again to the
  batch, the list rebuilt; the answer is the new card and list. The ledger is rewritten right after, in the
  background (ledger.csv and .jsonl first, then ledger.xlsx): timed from the request until each is on disk.

Each is the median of ``--repeat`` requests (saves each correct another invoice). Targets (issue 15): open ≤ 2 s,
save ≤ 2 s on the project's machine (2 cores).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH = ROOT / ".bench" / "review"


def corpus(count: int) -> Path:
    from office_agent.synth import write_corpus

    folder = BENCH / f"xml-{count}"
    if not folder.is_dir() or sum(1 for _ in folder.rglob("*.xml")) < count:
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, count, seed=15, formats=["xml"])
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()

    import httpx

    from office_agent.review.app import TOKEN_HEADER
    from office_agent.review.server import Background, open_folder

    folder = corpus(args.count)
    out = BENCH / f"out-{args.count}"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    session = open_folder([folder], out, workers=args.workers)
    read_s = time.perf_counter() - t
    server = Background(session)
    try:
        with httpx.Client(base_url=server.url.rstrip("/"), timeout=60) as http:
            opens, cards, saves, sizes, cpu_open, cpu_save = [], [], [], [], [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                page = http.get("/?status=all")
                opens.append(time.perf_counter() - t)
                cpu_open.append(time.process_time() - c)
                page.raise_for_status()
                sizes.append(len(page.content))
            ids = [e.id for e in session.entries]
            for ident in ids[1 : 1 + args.repeat]:
                t = time.perf_counter()
                http.get(f"/card/{ident}").raise_for_status()
                cards.append(time.perf_counter() - t)
            writer = session.ledger
            assert writer is not None
            texts, ledgers = [], []
            for n, ident in enumerate(ids[: args.repeat]):
                t, c = time.perf_counter(), time.process_time()
                saved = http.post(f"/correct/{ident}?status=all", data={"field": "remarks", "value": f"bench {n}"},
                                  headers={TOKEN_HEADER: server.app.token})  # fmt: skip
                saves.append(time.perf_counter() - t)
                saved.raise_for_status()
                session.flush()  # one save at a time, as a person makes them
                cpu_save.append(time.process_time() - c)
                ledgers.append(time.perf_counter() - t)
                texts.append(saves[-1] + (writer.text_seconds or 0.0))
    finally:
        server.stop()
    rows = len(session.entries)
    print(f"folder: {rows} invoices ({folder.relative_to(ROOT)}); read once in {read_s:.2f} s")
    print(f"open  GET /            median {statistics.median(opens):.3f} s  max {max(opens):.3f} s  "
          f"({statistics.median(sizes) / 1e6:.2f} MB, {rows} rows + 1 card)   target ≤ 2 s")  # fmt: skip
    print(f"      CPU time of the process (server + client, this is a shared machine): open median "
          f"{statistics.median(cpu_open):.3f} s; save + whole ledger median {statistics.median(cpu_save):.3f} s")
    print(f"card  GET /card/ID     median {statistics.median(cards):.3f} s  max {max(cards):.3f} s")
    print(f"save  POST /correct    median {statistics.median(saves):.3f} s  max {max(saves):.3f} s  "
          "(corrections.jsonl written, list rebuilt, new card + list answered)")  # fmt: skip
    print(f"      + ledger.csv/.jsonl on disk  median {statistics.median(texts):.3f} s  max {max(texts):.3f} s")
    print(f"      + ledger.xlsx on disk        median {statistics.median(ledgers):.3f} s  max {max(ledgers):.3f} s"
          f"  ({rows} rows; target for save + ledger ≤ 2 s)")  # fmt: skip


if __name__ == "__main__":
    main()
