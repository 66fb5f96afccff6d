"""Train the receipt line classifier (office_agent/extract/receiptlines.py) on the training part of the SROIE split.

    PYTHONPATH=$PWD .venv/bin/python scripts/train_receipts.py            # writes office_agent/data/receipt_lines.json
    PYTHONPATH=$PWD .venv/bin/python scripts/train_receipts.py --dry-run  # cross-validated figures only

Needs scikit-learn (``pip install -e '.[train]'``); the model it writes needs numpy only. The split is fixed in
``benchmarks/sroie_split.py``: validation receipts are never read here. Every training receipt gives its lines
twice where it can: the dataset's reference OCR (``box/ID.csv``, one box per printed line) and, for receipts with a
scan that ``benchmarks/bench_ocr.py --receipts-split train`` has read (it keeps the pages in ``.bench/receipt-pages``),
the lines our own pipeline read. Labels come from the key fields by fuzzy matching: a
line is ``company`` or ``address`` when it is (close to) a piece of that field, ``date`` when it holds the labelled
date, ``total`` when it holds the labelled amount beside a total word (or alone). Logistic regression, seeded,
its regularisation chosen by receipt-grouped cross-validation on the training receipts only.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from sroie_split import Receipt, is_validation, split  # noqa: E402

from office_agent.extract.receiptfields import clean_name  # noqa: E402
from office_agent.extract.receiptlines import CLASSES, DIM, LineModel, flags, fold, hashed, line_features  # noqa: E402
from office_agent.extract.receipts import _date_in  # noqa: E402
from office_agent.extract.textlines import TextLine, text_lines  # noqa: E402
from office_agent.models import Page, Word  # noqa: E402

PAGES = ROOT / ".bench" / "receipt-pages"  # the pages benchmarks/receipt_bench.py keeps (same folder)
_MONEY = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)|(?<![\d.])\d+\.\d{2}(?!\d)")


def box_page(receipt: Receipt) -> Page:
    """The reference OCR of a receipt as a page of words (one word per box)."""
    words = []
    for row in receipt.box.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = row.split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        try:
            xs, ys = [float(v) for v in parts[0:8:2]], [float(v) for v in parts[1:8:2]]
        except ValueError:
            continue
        words.append(Word(text=parts[8].strip(), bbox=(min(xs), min(ys), max(xs), max(ys))))
    width = max((w.bbox[2] for w in words), default=1.0)
    height = max((w.bbox[3] for w in words), default=1.0)
    return Page(number=1, width=width, height=height, words=words)


def ocr_page(receipt: Receipt) -> Page | None:
    """The first page our pipeline read from the receipt's scan, as ``bench_ocr.py --receipts-split train`` kept it
    (``.bench/receipt-pages``); None where it has not been read (reading scans here would take hours)."""
    path = PAGES / f"{receipt.name.replace('/', '-')}.json"
    return Page.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None


def _key(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", fold(text))


def closeness(line: str, field: str) -> float:
    """How well ``line`` matches a piece of ``field`` (letters and digits only): the ratio against the stretch of
    the field that its longest common run lines up with."""
    a, b = _key(line), _key(field)
    if len(a) < 2 or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    start = max(m.b - m.a, 0)
    return SequenceMatcher(None, a, b[start : start + len(a)], autojunk=False).ratio()


def _amounts(text: str) -> list[Decimal]:
    out = []
    for a in _MONEY.findall(text):
        try:
            out.append(Decimal(a.replace(",", "")))
        except InvalidOperation:
            continue
    return out


def label_lines(lines: list[TextLine], labels: dict[str, str]) -> list[int]:
    """The class index of every line, from the receipt's key fields."""
    company, address = labels.get("company", ""), labels.get("address", "")
    date = _date_in(labels.get("date", "")) if labels.get("date") else None
    try:
        total = Decimal(re.sub(r"[^\d.]", "", labels.get("total", ""))) if labels.get("total") else None
    except InvalidOperation:
        total = None
    out: list[int] = []
    previous = 0  # the last company or address line's class: a line that is a piece of both follows it
    for k, ln in enumerate(lines):
        text = fold(ln.text)
        c, a = closeness(clean_name(text), company), closeness(text, address)  # a name less its registration
        marks = flags(text)
        holds_total = total is not None and total in _amounts(text)
        after_rounding = k > 0 and "rounding" in flags(fold(lines[k - 1].text))
        if holds_total and (marks & {"totalkw", "grand", "rounding"} or after_rounding) and not marks & {
            "subtotal", "taxkw"}:
            out.append(CLASSES.index("total"))
        elif date is not None and _date_in(text) == date:
            out.append(CLASSES.index("date"))
        elif max(c, a) >= 0.8 and len(_key(text)) >= 3:
            if abs(c - a) < 0.05:
                y = previous or CLASSES.index("company")
            else:
                y = CLASSES.index("company" if c > a else "address")
            out.append(y)
            previous = y
        else:
            out.append(0)
    return out


def receipt_rows(receipt: Receipt, with_ocr: bool) -> list[tuple[list[int], int, str]]:
    """(hashed features, class, receipt name) of every line, from the reference boxes and our OCR."""
    labels = receipt.labels()
    pages = [box_page(receipt)]
    if with_ocr and not is_validation(receipt) and (page := ocr_page(receipt)) is not None:
        pages.append(page)
    rows = []
    for page in pages:
        lines = text_lines(page)
        for feats, y in zip(line_features(lines), label_lines(lines, labels), strict=True):
            rows.append((hashed(feats), y, receipt.name))
    return rows


def matrix(rows: list[tuple[list[int], int, str]]) -> tuple[object, np.ndarray, np.ndarray]:
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for idx, _, _ in rows:
        indices.extend(idx)
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices)), np.asarray(indices), np.asarray(indptr)), shape=(len(rows), DIM))
    return x, np.asarray([y for _, y, _ in rows]), np.asarray([g for _, _, g in rows])


def fit(x: object, y: np.ndarray, c: float) -> LineModel:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000, random_state=17)
    clf.fit(x, y)
    weights = np.zeros((DIM, len(CLASSES)))
    weights[:, clf.classes_] = clf.coef_.T
    bias = np.full(len(CLASSES), -30.0)
    bias[clf.classes_] = clf.intercept_
    return LineModel(weights, bias)


def cross_validate(x: object, y: np.ndarray, groups: np.ndarray, c: float, folds: int = 4) -> float:
    """Macro F1 over the four field classes, receipt-grouped folds of the training receipts."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    predicted = np.zeros_like(y)
    for train, test in GroupKFold(folds).split(x, y, groups):  # type: ignore[arg-type]
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=c, max_iter=3000, random_state=17).fit(x[train], y[train])  # type: ignore[index]
        predicted[test] = clf.predict(x[test])  # type: ignore[index]
    return float(f1_score(y, predicted, labels=[1, 2, 3, 4], average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "office_agent" / "data" / "receipt_lines.json")
    parser.add_argument("--no-ocr", action="store_true", help="train on the reference boxes only")
    parser.add_argument("--dry-run", action="store_true", help="cross-validate, write nothing")
    parser.add_argument("--c", type=float, nargs="*", default=[0.1, 0.3, 1.0, 3.0])
    args = parser.parse_args()
    started = time.perf_counter()
    train, validation = split()
    rows = [row for r in train for row in receipt_rows(r, not args.no_ocr)]
    with_ocr = sum(ocr_page(r) is not None for r in train) if not args.no_ocr else 0
    x, y, groups = matrix(rows)
    counts = {CLASSES[k]: int((y == k).sum()) for k in range(len(CLASSES))}
    print(f"{len(train)} training receipts ({len(validation)} kept for validation, not read; {with_ocr} also read by "
          f"our OCR): {len(rows)} lines "
          f"{counts}, {time.perf_counter() - started:.0f} s")  # fmt: skip
    # one C given: no cross-validation to choose it (the docs' figures say which C was chosen, and how)
    scores = {c: cross_validate(x, y, groups, c) for c in args.c} if len(args.c) > 1 or args.dry_run else {}
    for c, score in scores.items():
        print(f"  C={c:g}: cross-validated macro F1 of the field lines {100 * score:.1f}")
    if args.dry_run:
        return
    best = max(scores, key=lambda c: scores[c]) if scores else args.c[0]
    model = fit(x, y, best)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {args.out} (C={best:g}, {args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
