"""OCR path benchmark: field accuracy on scans and photos, SROIE receipts, invoice2data PNGs, speed, Tesseract and
PaddleOCR beside RapidOCR.

    .venv/bin/python benchmarks/bench_ocr.py                 # real PDFs, SROIE, invoice2data, speed, Tesseract
    .venv/bin/python benchmarks/bench_ocr.py --quick         # 2 PDFs, 2 styles, 20 receipts, no Tesseract
    .venv/bin/python benchmarks/bench_ocr.py --receipts-split both --receipts-only   # SROIE split, strict F1
    .venv/bin/python -m office_agent.synth OUT --count 200 --seed 31 --truth OUT
    .venv/bin/python benchmarks/bench_ocr.py --pdf-dir OUT --no-realdata --sroie 0 --no-speed --jobs 2
    .venv/bin/python -m office_agent.synth.taxi TAXI --count 20 --seed 5
    .venv/bin/python benchmarks/bench_ocr.py --pdf-dir TAXI --styles scan,scan_upside_down,scan_sideways,photo ...

Scans and photos: every page source × every style of ``office_agent.synth.scans`` (a seal over the totals,
upside down, sideways, two invoices on one sheet, a 12-MP photo on a desk), read through the whole chain and
compared field by field with the source's ground truth. Sources: the real PDFs in ../shared/realdata/cn/pdf
(truth: the hand-written expected values of tests/test_realdata.py) and, with ``--pdf-dir DIR``, generated PDFs
with their truth (the generator's ``truth.jsonl``, or ``NAME.truth.json`` beside each PDF); taxi receipts add
their trip fields. The scans and what the engine read on them are kept in ``--cache`` (``.bench/ocr-cache``, by
content): a second run re-runs only the extraction, so rules can be iterated on in seconds.
SROIE: ../shared/realdata/receipts/sroie-dev, key/*.json; strings compared upper-case on letters, digits and &
only (spacing and punctuation ignored), dates as dates, totals as numbers; F1 per field (a wrong value is a false
positive and a false negative), on all receipts and on each half (the receipt rules were tuned on the first).
SROIE split (``--receipts-split train|val|both``): the fixed split of benchmarks/sroie_split.py, every scan read
through the whole chain and scored strictly (white space and case only), training and validation figures side by
side, and the milliseconds of the learned line classifier per receipt (benchmarks/receipt_bench.py).
invoice2data: the three PNGs in ../shared/realdata/intl/invoice2data, against their JSON labels.
Speed: a 300-dpi A4 scan and a 12-MP photo, the whole pipeline vs the bare engine on the same decoded image.
PaddleOCR (where ``office-agent[paddle]`` is installed; ``--no-paddle`` leaves it out) reads the scans and photos
of ``--paddle-styles`` (default scan and photo), scored beside RapidOCR on the same subset, and is timed too.
Nothing from ../shared is copied anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from office_agent.extract.chain import document_chain
from office_agent.extract.receipts import _date_in, extract_receipt
from office_agent.ingest import ocr, read_document
from office_agent.ingest.image import load_frames
from office_agent.ingest.ocr.replay import CachingEngine
from office_agent.ingest.sources import Blob
from office_agent.models import DocFormat, Invoice, Source
from office_agent.synth.scans import STYLES, render_page, scan_pdf

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "realdata"
KEY_FIELDS = ("invoice_number", "issue_date", "total_amount", "seller_tax_id")
OTHER_FIELDS = ("invoice_kind", "invoice_code", "check_code", "buyer_name", "buyer_tax_id", "seller_name",
                "amount_without_tax", "tax_amount")  # fmt: skip
# compared only where the truth has them (taxi receipts)
TRIP_FIELDS = ("title", "travel_date", "vehicle_plate", "pickup_time", "dropoff_time", "unit_price", "distance_km",
               "category")  # fmt: skip
Truth = dict[str, str | None]


def realdata_truth() -> list[tuple[str, bytes, Truth]]:
    spec = importlib.util.spec_from_file_location("test_realdata", ROOT / "tests" / "test_realdata.py")
    if spec is None or spec.loader is None or not (SHARED / "cn" / "pdf").is_dir():
        return []
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tests"))
    spec.loader.exec_module(module)
    out = []
    for name, row in sorted(module.EXPECTED.items()):
        if not name.startswith("pdf/"):
            continue
        kind, code, number, date, buyer, buyer_id, seller, seller_id, amount, tax, total = row
        truth = {"invoice_kind": kind, "invoice_code": code, "invoice_number": number, "issue_date": date,
                 "buyer_name": buyer, "buyer_tax_id": buyer_id, "seller_name": seller, "seller_tax_id": seller_id,
                 "amount_without_tax": amount, "tax_amount": tax, "total_amount": total}  # fmt: skip
        out.append((name, (SHARED / "cn" / name).read_bytes(), truth))
    return out


def dir_truth(folder: Path) -> list[tuple[str, bytes, Truth]]:
    """PDFs in ``folder`` with their truth: ``NAME.truth.json`` beside each, or the generator's ``truth.jsonl``
    (one object per file, its name under ``file``)."""
    truths: dict[str, dict[str, Any]] = {}
    jsonl = folder / "truth.jsonl"
    if jsonl.is_file():
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                truths[raw["file"]] = raw
    out = []
    for pdf in sorted(folder.glob("*.pdf")):
        truth_file = pdf.with_suffix(".truth.json")
        raw = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else truths.get(pdf.name)
        if raw is not None:
            flat = {k: (None if v is None else str(v)) for k, v in raw.items() if not isinstance(v, list | dict)}
            out.append((pdf.name, pdf.read_bytes(), flat))
    return out


def value(inv: Invoice, field: str) -> str | None:
    v = getattr(inv, field)
    if v is None:
        return None
    if isinstance(v, Enum):
        return str(v.value)
    if field == "distance_km":
        return f"{v:.1f}"
    return f"{v:.2f}" if isinstance(v, Decimal) else str(v)


def run_chain(data: bytes, name: str, fmt: DocFormat = DocFormat.IMAGE) -> list[Invoice]:
    blob = Blob(name, data, hashlib.sha256(data).hexdigest(), fmt)
    try:
        return document_chain.invoke(blob)
    except Exception as exc:  # a benchmark counts a failure as wrong fields, it does not stop
        print(f"  {name}: {type(exc).__name__}: {exc}")
        return []


# ----------------------------------------------------------------------------------------------------------
# Synthetic scans and photos. The scans and what the engine read on them are kept in ``--cache`` (by content),
# so a second run only re-runs extraction: seconds instead of many minutes.

_CACHE: dict[str, Path] = {}


def use_cache(folder: Path | None, engine: str) -> str:
    """Register ``ENGINE-cached`` (readings kept under ``folder``) and return its name; ``engine`` if no cache."""
    if folder is None:
        return engine
    _CACHE["dir"] = folder
    name = f"{engine}-cached"
    inner = ocr.FACTORIES[engine]
    ocr.register_engine(name, lambda: CachingEngine(inner(), folder / "ocr" / engine, name))
    return name


def scan_image(name: str, pdf: bytes, style: str) -> bytes:
    """The scan of ``pdf`` in ``style`` (from the cache when it was made before: the generator is deterministic)."""
    seed = int(hashlib.md5(name.encode()).hexdigest()[:6], 16)
    folder = _CACHE.get("dir")
    if folder is None:
        return scan_pdf(pdf, STYLES[style], seed=seed)
    key = hashlib.sha1(pdf + repr(STYLES[style]).encode() + str(seed).encode()).hexdigest()[:20]
    path = folder / "scans" / f"{key}.jpg"
    if path.is_file():
        return path.read_bytes()
    data = scan_pdf(pdf, STYLES[style], seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def score_scan(task: tuple[str, bytes, Truth, str], engine: str) -> dict[str, Any]:
    """Read one scan through the whole chain; per expected invoice, each field right or the miss."""
    name, pdf, truth, style = task
    ocr.set_default_engine(engine)
    data = scan_image(name, pdf, style)
    started = time.perf_counter()
    invoices = run_chain(data, f"{name}[{style}]")
    seconds = time.perf_counter() - started
    expected = 2 if STYLES[style].two_up else 1
    invoices = invoices + [Invoice(source="missing", sha256="")] * max(0, expected - len(invoices))
    docs = []
    for inv in invoices[:expected]:
        fields: dict[str, tuple[str | None, str | None]] = {}
        for field in KEY_FIELDS + OTHER_FIELDS + TRIP_FIELDS:
            want = truth.get(field)
            if (want is None and field not in KEY_FIELDS) or (field in TRIP_FIELDS and field not in truth):
                continue
            fields[field] = (value(inv, field), want)
        docs.append(fields)
    return {"name": f"{name}[{style}]", "docs": docs, "seconds": seconds}


def _init_worker(cache: Path | None, engine: str) -> None:
    use_cache(cache, engine)


def synthetic(
    sources: list[tuple[str, bytes, Truth]], styles: list[str], engine: str, jobs: int = 1, cache: Path | None = None
) -> dict[str, Any]:
    name = use_cache(cache, engine)
    tasks = [(src, pdf, truth, style) for src, pdf, truth in sources for style in styles]
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(cache, engine)) as pool:
            results = list(pool.map(partial(score_scan, engine=name), tasks, chunksize=4))
    else:
        results = [score_scan(task, name) for task in tasks]
    right: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    docs = docs_all_key = 0
    misses: list[str] = []
    for res in results:
        for fields in res["docs"]:
            docs += 1
            ok_key = True
            for field, (got, want) in fields.items():
                seen[field] += 1
                if got == want:
                    right[field] += 1
                else:
                    ok_key = ok_key and field not in KEY_FIELDS
                    misses.append(f"{res['name']} {field}: {got!r} ≠ {want!r}")
            docs_all_key += ok_key
    return {"right": dict(right), "seen": dict(seen), "docs": docs, "docs_all_key": docs_all_key,
            "seconds": [r["seconds"] for r in results], "misses": misses}  # fmt: skip


Sources = list[tuple[str, bytes, Truth]]


def side_by_side_paddle(
    title: str, sources: Sources, subset: list[str], styles: list[str], jobs: int, cache: Path | None
) -> None:
    """PaddleOCR on ``subset`` of the styles, and RapidOCR on the same subset (from its cache) when that differs
    from what RapidOCR was just scored on."""
    if subset != styles:
        res = synthetic(sources, subset, "rapidocr", jobs, cache)
        print_synthetic(f"Same {title}, RapidOCR, styles {subset} only", res, show=10)
    print_synthetic(f"Same {title}, PaddleOCR (styles {subset})", synthetic(sources, subset, "paddleocr", jobs, cache))


def print_synthetic(title: str, res: dict[str, Any], show: int = 25, misses_file: Path | None = None) -> None:
    print(f"\n## {title}: {res['docs']} documents, all four key fields right on {res['docs_all_key']}"
          f" ({100 * res['docs_all_key'] / max(res['docs'], 1):.1f}%)")  # fmt: skip
    for field in KEY_FIELDS + OTHER_FIELDS + TRIP_FIELDS:
        n = res["seen"].get(field, 0)
        if n:
            print(f"  {field:20s} {100 * res['right'].get(field, 0) / n:6.1f}%  ({res['right'].get(field, 0)}/{n})")
    if res["seconds"]:
        print(f"  seconds per file: median {statistics.median(res['seconds']):.2f}, max {max(res['seconds']):.2f}"
              " (readings from the cache take no OCR time)")  # fmt: skip
    for miss in res["misses"][:show]:
        print(f"    miss: {miss}")
    if len(res["misses"]) > show:
        print(f"    … {len(res['misses']) - show} more misses")
    if misses_file is not None:
        misses_file.write_text("\n".join(res["misses"]) + "\n", encoding="utf-8")
        print(f"  every miss: {misses_file}")


# ----------------------------------------------------------------------------------------------------------
# SROIE


def _norm(s: str | None) -> str:
    """Upper case, letters and digits only: spacing and punctuation (``27,JALAN`` vs ``27, JALAN``) do not count."""
    return re.sub(r"[^0-9A-Z&]", "", (s or "").upper())


def _same(field: str, got: str | None, want: str) -> bool:
    if got is None:
        return False
    if field == "date":
        return got == _date_in(want)
    if field == "total":
        try:
            return Decimal(got) == Decimal(re.sub(r"[^\d.\-]", "", want))
        except InvalidOperation:
            return False
    return _norm(got) == _norm(want)


SROIE_FIELDS = {"company": "seller_name", "date": "issue_date", "address": "seller_address", "total": "total_amount"}


def sroie(limit: int, engine: str, cache: Path | None = None) -> dict[str, Any]:
    """Per receipt and field: ``right``, ``wrong`` (a value that is not the label) or ``missing``."""
    ocr.set_default_engine(use_cache(cache, engine))
    folder = SHARED / "receipts" / "sroie-dev"
    keys = sorted((folder / "key").glob("*.json"))[:limit]
    outcomes: list[tuple[str, str, str, str | None, str]] = []  # receipt, field, outcome, got, want
    times = []
    for key in keys:
        truth = json.loads(key.read_text(encoding="utf-8"))
        image = folder / "img" / f"{key.stem}.jpg"
        started = time.perf_counter()
        got: dict[str, str] = {}
        try:
            doc = read_document(image.name, "0", image.read_bytes())
            for page in doc.pages[:1]:
                ext = extract_receipt(page, Source.OCR)
                for field, cand in SROIE_FIELDS.items():
                    v = ext.get(cand) if ext else None
                    if v is not None:
                        got[field] = v
        except Exception as exc:  # counted as nothing read
            print(f"  {image.name}: {type(exc).__name__}: {exc}")
        times.append(time.perf_counter() - started)
        for field in SROIE_FIELDS:
            want = truth.get(field)
            if want:
                v = got.get(field)
                outcome = "right" if _same(field, v, want) else ("wrong" if v is not None else "missing")
                outcomes.append((key.stem, field, outcome, v, want))
    return {"n": len(keys), "keys": [k.stem for k in keys], "outcomes": outcomes, "seconds": times}


def _f1_rows(outcomes: list[tuple[str, str, str, str | None, str]]) -> list[str]:
    rows = []
    for field in SROIE_FIELDS:
        counts = {k: sum(1 for o in outcomes if o[1] == field and o[2] == k) for k in ("right", "wrong", "missing")}
        tp, fp = counts["right"], counts["wrong"]
        fn = counts["wrong"] + counts["missing"]
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        rows.append(f"  {field:8s} F1 {100 * f1:5.1f}%  (right {tp}, wrong {fp}, missing {counts['missing']})")
    return rows


def print_sroie(title: str, res: dict[str, Any], misses_file: Path | None = None) -> None:
    """F1 on every receipt read, then on each half: the extractor's rules were tuned on the first half only
    (receipts 000-049), so the second half is the held-out figure."""
    keys = res["keys"]
    half = set(keys[: len(keys) // 2])
    parts = [(f"{res['n']} receipts", res["outcomes"])]
    if len(keys) >= 20:
        parts += [
            (f"first half ({len(half)}, tuned on)", [o for o in res["outcomes"] if o[0] in half]),
            (f"second half ({len(keys) - len(half)}, held out)", [o for o in res["outcomes"] if o[0] not in half]),
        ]
    for i, (label, outcomes) in enumerate(parts):
        print(f"\n## {title}: {label}" if i == 0 else f"  -- {label}")
        print("\n".join(_f1_rows(outcomes)))
    if res["seconds"]:
        print(f"  seconds per receipt: median {statistics.median(res['seconds']):.2f}")
    if misses_file is not None:
        rows = [f"{o[0]} {o[1]} {o[2]}: got {o[3]!r} want {o[4]!r}" for o in res["outcomes"] if o[2] != "right"]
        misses_file.write_text("\n".join(rows) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------------------
# invoice2data PNGs and PDFs (../shared/realdata/intl/invoice2data): its JSON labels give date, amount, currency and
# invoice number; its ``issuer`` is a short name (``Flipkart``), so the seller names accepted here were written
# by hand from the images (the legal name printed on the document, or the issuer label).

I2D_SELLERS: dict[str, tuple[str, ...]] = {
    "AmazonWebServices": ("Amazon Web Services, Inc.", "Amazon Web Services"),
    "FlipkartInvoice": ("WS Retail Services Pvt. Ltd.",),
    "oyo": ("OYO", "Oravel Stays Private Limited", "Oravel Stays Pvt. Ltd."),
}
I2D_FIELDS = ("seller_name", "issue_date", "total_amount", "currency", "invoice_number")


def invoice2data_truth(label: dict[str, Any], stem: str) -> dict[str, tuple[str, ...]]:
    number = re.sub(r"^#\s*", "", str(label.get("invoice_number", "")))
    return {
        "seller_name": I2D_SELLERS.get(stem, (str(label.get("issuer", "")),)),
        "issue_date": (str(label["date"]),),
        "total_amount": (f"{Decimal(str(label['amount'])):.2f}",),
        "currency": (str(label["currency"]),),
        "invoice_number": (number,),
    }


def invoice2data(engine: str, cache: Path | None = None) -> dict[str, Any]:
    ocr.set_default_engine(use_cache(cache, engine))
    folder = SHARED / "intl" / "invoice2data"
    right: dict[str, int] = defaultdict(int)
    rows = []
    pngs = sorted(folder.glob("*.png")) + sorted(folder.glob("*.pdf"))  # the scans, then the text-layer PDFs
    for png in pngs:
        label = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))[0]
        truth = invoice2data_truth(label, png.stem)
        fmt = DocFormat.PDF if png.suffix == ".pdf" else DocFormat.IMAGE
        invoices = run_chain(png.read_bytes(), png.name, fmt)
        inv = invoices[0] if invoices else Invoice(source="missing", sha256="", currency="")
        for field in I2D_FIELDS:
            got = value(inv, field)
            ok = got is not None and any(_norm(got) == _norm(want) for want in truth[field])
            right[field] += ok
            rows.append(f"{png.name:22s} {field:15s} {'ok  ' if ok else 'MISS'} got {got!r}, want {truth[field][0]!r}")
    return {"n": len(pngs), "right": dict(right), "rows": rows}


def print_invoice2data(title: str, res: dict[str, Any]) -> None:
    print(f"\n## {title}: {res['n']} files")
    for field in I2D_FIELDS:
        print(f"  {field:15s} {res['right'].get(field, 0)}/{res['n']}")
    for row in res["rows"]:
        print(f"    {row}")


# ----------------------------------------------------------------------------------------------------------
# Speed


def a4_scan(pdf: bytes) -> bytes:
    page = render_page(pdf, 0, 300.0)
    sheet = Image.new("RGB", (2480, 3508), "white")
    sheet.paste(page.crop((0, 0, min(page.width, 2400), min(page.height, 3400))), (40, 60))
    buf = io.BytesIO()
    sheet.save(buf, format="JPEG", quality=85, dpi=(300, 300))
    return buf.getvalue()


def timed_pair(a: Callable[[], object], b: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Best-of-``repeat`` times of ``a`` and ``b``, run alternately (after a warm-up of each) so that load from
    other processes falls on both alike."""
    a(), b()
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((a, runs[0]), (b, runs[1])):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    return min(runs[0]), min(runs[1])


def _bare(engine: ocr.OcrEngine, data: bytes) -> object:
    return engine.recognize(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))


def speed(pdf: bytes, engines: list[str]) -> None:
    images = {"300-dpi A4 scan": a4_scan(pdf), "12-MP photo": scan_pdf(pdf, STYLES["photo"], seed=7)}
    print("\n## Speed (s per page, best of 3 run alternately after a warm-up; whole pipeline vs bare engine)")
    for label, data in images.items():
        pixels = load_frames(data)[0][0]
        h, w = pixels.shape[:2]
        for name in engines:
            ocr.set_default_engine(name)
            engine = ocr.get_engine(name)
            bare, whole = timed_pair(partial(_bare, engine, data), partial(run_chain, data, label))
            print(f"  {label} ({w}x{h}) {name:9s}: pipeline {whole:5.2f} s, bare engine {bare:5.2f} s, "
                  f"overhead {100 * (whole / bare - 1):+5.1f}%")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pdf-dir", type=Path, help="generated PDFs with truth (truth.jsonl, or NAME.truth.json)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N generated PDFs")
    parser.add_argument("--no-realdata", action="store_true", help="leave out the real PDFs of ../shared")
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--sroie", type=int, default=100, help="receipts to read (0: none)")
    parser.add_argument("--no-invoice2data", dest="invoice2data", action="store_false")
    parser.add_argument("--sroie-misses", type=Path, help="write every SROIE miss to this file")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--tesseract-sroie", type=int, default=20)
    parser.add_argument("--no-paddle", action="store_true", help="leave out PaddleOCR even where it is installed")
    parser.add_argument("--paddle-styles", default="scan,photo", help="styles PaddleOCR reads (beside RapidOCR)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="processes for the scans (each loads the model)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench" / "ocr-cache",
                        help="where scans and OCR readings are kept between runs")  # fmt: skip
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--misses", type=Path, help="write every miss of the generated PDFs to this file")
    parser.add_argument("--receipts-split", choices=("train", "val", "both"),
                        help="the SROIE split of benchmarks/sroie_split.py, strict F1 (receipt_bench.py)")  # fmt: skip
    parser.add_argument("--receipts-limit", type=int, default=0, help="only the first N receipts of each part")
    parser.add_argument("--receipts-misses", type=Path, help="write the training receipts' misses to this file")
    parser.add_argument("--receipts-only", action="store_true", help="the SROIE split and invoice2data, nothing else")
    parser.add_argument("--receipts-read-only", action="store_true",
                        help="only receipts an earlier run read (no OCR now); says how many are left out")  # fmt: skip
    args = parser.parse_args()
    if args.receipts_only:
        args.no_realdata, args.sroie, args.no_speed = True, 0, True
    styles = args.styles.split(",")
    cache = None if args.no_cache else args.cache
    real = [] if args.no_realdata else realdata_truth()
    generated = dir_truth(args.pdf_dir) if args.pdf_dir else []
    if args.limit:
        generated = generated[: args.limit]
    if args.quick:
        real, generated, styles, args.no_tesseract = real[:2], generated[:4], styles[:2], True
        args.sroie = min(args.sroie, 20)
    tesseract = not args.no_tesseract and "tesseract" in ocr.available_engines()
    paddle = not args.no_paddle and "paddleocr" in ocr.available_engines()
    paddle_styles = [s for s in styles if s in args.paddle_styles.split(",")]
    print(f"OCR engines here: {', '.join(ocr.available_engines())}; real PDFs: {len(real)}; generated PDFs: "
          f"{len(generated)}; styles: {styles}; cache: {cache}")  # fmt: skip
    for title, sources, misses in (("real PDFs", real, None), ("generated PDFs", generated, args.misses)):
        if not sources:
            continue
        res = synthetic(sources, styles, "rapidocr", args.jobs, cache)
        print_synthetic(f"Scans and photos of the {title}, RapidOCR", res, misses_file=misses)
        if tesseract and title == "real PDFs":
            subset = [s for s in styles if s in ("scan", "photo")]
            print_synthetic(f"Same, Tesseract (styles {subset})", synthetic(sources, subset, "tesseract", 1, cache))
        if paddle and paddle_styles:
            side_by_side_paddle(title, sources, paddle_styles, styles, args.jobs, cache)
    if args.sroie and (SHARED / "receipts" / "sroie-dev").is_dir():
        print_sroie("SROIE dev, RapidOCR", sroie(args.sroie, "rapidocr", cache), args.sroie_misses)
        if tesseract and args.tesseract_sroie:
            print_sroie("SROIE dev, Tesseract", sroie(args.tesseract_sroie, "tesseract"))
    if args.receipts_split and (SHARED / "receipts").is_dir():
        from receipt_bench import run as run_split

        ocr.set_default_engine(use_cache(cache, "rapidocr"))
        run_split(args.receipts_split, args.receipts_limit, args.receipts_misses, args.receipts_read_only)
    if args.invoice2data and (SHARED / "intl" / "invoice2data").is_dir():
        print_invoice2data("invoice2data PNGs (RapidOCR) and PDFs (text layer)", invoice2data("rapidocr", cache))
    speed_source = (real or generated)[:1]
    if not args.no_speed and speed_source:
        engines = ["rapidocr"] + (["paddleocr"] if paddle else []) + (["tesseract"] if tesseract else [])
        speed(speed_source[0][1], engines)


if __name__ == "__main__":
    main()
