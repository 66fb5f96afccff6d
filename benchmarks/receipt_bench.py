"""SROIE receipts on the fixed split (benchmarks/sroie_split.py), read through the whole extraction chain and scored
the strict way the maintainers score held-out receipts: the value ``office-agent extract --format jsonl`` prints,
compared with the label after upper-casing and removing white space, nothing else (punctuation counts); the date
compared as a date (the label's ``25/12/2018`` is the record's ``2018-12-25``), the total as printed with two
decimals. F1 per field and overall (micro, over the four fields: a wrong value is a false positive and a false
negative, a missing one a false negative). Used by ``bench_ocr.py --receipts-split``.

The chain's steps run one after the other exactly as ``document_chain`` composes them; the page the ``load`` step
read is kept in ``.bench/receipt-pages`` (it is what ``scripts/train_receipts.py`` trains on, for training
receipts) and the learned step is timed on it alone (CPU time of features and scores).
"""

from __future__ import annotations

import hashlib
import re
import statistics
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sroie_split import Receipt, split

from office_agent.extract.chain import chain_steps
from office_agent.extract.receiptlines import shipped_model
from office_agent.extract.receipts import _date_in
from office_agent.extract.textlines import text_lines
from office_agent.generate.records import invoice_record
from office_agent.ingest.sources import Blob
from office_agent.models import DocFormat, Document, Page

FIELDS = {"company": "seller_name", "date": "issue_date", "address": "seller_address", "total": "total_amount"}
PAGES = Path(__file__).resolve().parents[1] / ".bench" / "receipt-pages"


def strict(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def same(field_name: str, got: str | None, want: str) -> bool:
    if got is None:
        return False
    if field_name == "date":
        return got == _date_in(want)
    if field_name == "total#":  # beside the strict figure: the total as a number (labels such as ``$8.20``)
        try:
            return Decimal(got) == Decimal(re.sub(r"[^\d.\-]", "", want))
        except InvalidOperation:
            return False
    return strict(got) == strict(want)


def page_path(receipt: Receipt) -> Path:
    return PAGES / f"{receipt.name.replace('/', '-')}.json"


def read_receipt(receipt: Receipt) -> tuple[dict[str, Any] | None, float, float]:
    """(the record ``extract`` prints for the receipt's scan, seconds for the whole chain, ms of the learned step)."""
    assert receipt.image is not None
    data = receipt.image.read_bytes()
    steps = chain_steps()
    started = time.perf_counter()
    doc: Document = steps["load"].invoke(Blob(receipt.image.name, data, hashlib.sha256(data).hexdigest(),
                                              DocFormat.IMAGE))  # fmt: skip
    work: Any = doc
    for name in ("extract", "normalise", "fallback", "validate", "classify"):
        work = steps[name].invoke(work)
    seconds = time.perf_counter() - started
    learned_ms = 0.0
    if doc.pages:
        PAGES.mkdir(parents=True, exist_ok=True)
        page_path(receipt).write_text(doc.pages[0].model_dump_json(), encoding="utf-8")
        lines = text_lines(doc.pages[0])
        t = time.process_time()  # CPU time: on a shared machine the wall clock mostly counts waiting for a core
        shipped_model().probabilities(lines)
        learned_ms = 1000 * (time.process_time() - t)
    return (invoice_record(work[0]) if work else None), seconds, learned_ms


def saved_page(receipt: Receipt) -> Page | None:
    path = page_path(receipt)
    return Page.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None


@dataclass
class Score:
    outcomes: list[tuple[str, str, str, str | None, str]] = field(default_factory=list)  # receipt, field, outcome, ...
    seconds: list[float] = field(default_factory=list)
    learned_ms: list[float] = field(default_factory=list)

    def f1(self, field_name: str | None = None) -> float:
        rows = [o for o in self.outcomes if o[1] == field_name or (field_name is None and o[1] in FIELDS)]
        tp = sum(o[2] == "right" for o in rows)
        fp = sum(o[2] == "wrong" for o in rows)
        fn = fp + sum(o[2] == "missing" for o in rows)
        return 2 * tp / max(2 * tp + fp + fn, 1)


def score(receipts: list[Receipt]) -> Score:
    out = Score()
    for r in receipts:
        if r.image is None:
            continue
        try:
            record, seconds, ms = read_receipt(r)
        except Exception as exc:  # a failure counts as nothing read
            print(f"  {r.name}: {type(exc).__name__}: {exc}")
            record, seconds, ms = None, 0.0, 0.0
        out.seconds.append(seconds)
        out.learned_ms.append(ms)
        for name, key in (*FIELDS.items(), ("total#", "total_amount")):
            want = r.labels().get(name.rstrip("#"))
            if not want:
                continue
            got = None if record is None else record.get(key)
            outcome = "right" if same(name, got, want) else ("wrong" if got is not None else "missing")
            out.outcomes.append((r.name, name, outcome, got, want))
    return out


def report(title: str, res: Score, misses: Path | None = None) -> None:
    n = len(res.seconds)
    per_field = ", ".join(f"{name} {100 * res.f1(name):.1f}" for name in FIELDS)
    print(f"  {title} ({n} receipts): overall F1 {100 * res.f1():.1f}; {per_field} (total as a number: "
          f"{100 * res.f1('total#'):.1f})")
    if res.learned_ms:
        print(f"    seconds per receipt (whole chain; OCR from the cache when it is there): median "
              f"{statistics.median(res.seconds):.2f}; learned step (CPU time): median "
              f"{statistics.median(res.learned_ms):.2f} ms, max {max(res.learned_ms):.2f} ms")  # fmt: skip
    if misses is not None:
        rows = [f"{o[0]} {o[1]} {o[2]}: got {o[3]!r} want {o[4]!r}" for o in res.outcomes
                if o[2] != "right" and o[1] in FIELDS]  # fmt: skip
        misses.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"    every miss: {misses}")


def run(which: str, limit: int = 0, train_misses: Path | None = None, read_only: bool = False) -> None:
    """``which``: ``train``, ``val`` or ``both``. Misses are written for the training receipts only: the
    validation receipts' misses are not looked at (docs/receipts.md). ``read_only``: only the receipts whose scan an
    earlier run has read (their page is kept), so that no OCR runs; the count left out is printed."""
    train, validation = split()
    if read_only:
        kept = [r for r in train + validation if page_path(r).is_file()]
        scans = sum(r.image is not None for r in train + validation)
        print(f"  (only the {len(kept)} receipts read before; {scans - len(kept)} scans not read yet are left out)")
        train, validation = [r for r in train if r in kept], [r for r in validation if r in kept]
    scans = sum(r.image is not None for r in train)
    print(f"\n## SROIE split (benchmarks/sroie_split.py): {len(train)} training receipts ({scans} with a scan), "
          f"{len(validation)} validation; strict F1")  # fmt: skip
    if which in ("train", "both"):
        report("training", score([r for r in train if r.image is not None][: limit or None]), train_misses)
    if which in ("val", "both"):
        report("validation", score(validation[: limit or None]))
