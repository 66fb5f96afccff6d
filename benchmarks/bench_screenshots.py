"""Screenshots and low-resolution pictures of the real dev PDFs and OFDs, scored with ../shared/eval/score.py.

    nice .venv/bin/python benchmarks/bench_screenshots.py                    # dev: every page of cn/, every style
    nice .venv/bin/python benchmarks/bench_screenshots.py --heldout          # validation: cn2/ PDFs and OFDs
    nice .venv/bin/python benchmarks/bench_screenshots.py --styles phone,viewer --verbose

Every page of every real PDF (drawn by PDFium) and OFD (drawn by ``generate.ofdrender``) in
``../shared/realdata/cn/{pdf,ofd}`` becomes a picture in each style of ``office_agent.synth.screenshots`` (plain
renders at 100 and 150 dpi, a viewer window with grey margins at ~140 and ~110 dpi, a 1080-px phone screenshot with
app bars, light and dark, a crop without the QR code). The pictures are written to a temporary folder, never into
the repository, read through the whole chain with RapidOCR, and scored by ``score.py`` against a labels file the
benchmark writes beside them: each picture's sha256 mapped to the labels of the page it was made from. The OCR
readings are kept in ``--cache`` (``.bench/ocr-cache``, by image content, as ``bench_ocr.py`` keeps them), so a
second run re-runs only the extraction.

Held out: the ``cn2/`` PDFs and OFDs (``--heldout``) are the validation set, scored only after the rules were
fixed on ``cn/``. This machine may lack the CJK fonts that PDFs without embedded fonts and every OFD are drawn
with; ``--fonts DIR`` names a folder of them (e.g. the files of Debian's fonts-wqy-microhei and
fonts-arphic-gbsn00lp, unpacked with ``dpkg -x``) for this process only: PDFium and fontconfig are pointed at it.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = ("cn/pdf", "cn/ofd")
HELDOUT = ("cn2/pdf", "cn2/ofd")


def use_fonts(folder: Path) -> None:
    """Point fontconfig (OFD pictures, the app's own words) and PDFium (non-embedded PDF fonts) at ``folder``."""
    conf = Path(tempfile.mkdtemp(prefix="bench-fonts-")) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{folder}</dir><dir>/usr/share/fonts</dir><cachedir>{conf.parent}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)
    import pypdfium2._library_scope as scope
    import pypdfium2.raw as pdfium_c

    scope.destroy_lib()
    paths = (ctypes.c_char_p * 3)(str(folder).encode(), b"/usr/share/fonts", None)
    config = pdfium_c.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=ctypes.cast(paths, type(
        pdfium_c.FPDF_LIBRARY_CONFIG().m_pUserFontPaths)), m_pIsolate=None, m_v8EmbedderSlot=0)  # fmt: skip
    pdfium_c.FPDF_InitLibraryWithConfig(config)
    from pypdfium2.internal import bases

    bases.LIBRARY_AVAILABLE = True
    use_fonts.keep = paths  # type: ignore[attr-defined]  # PDFium keeps the pointers


def score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def labels_by_file() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name in ("dev_labels.jsonl", "dev_labels2.jsonl"):
        for line in (SHARED / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out[row["sha256"]].append(row)
    return out


def make_corpus(folders: tuple[str, ...], styles: list[str], out: Path) -> list[dict[str, Any]]:
    """Write every picture into ``out``; one label row per picture (the source page's labels, the picture's
    sha256, its style and source in ``relpath``)."""
    from office_agent.synth.screenshots import SHOT_STYLES, screenshots

    labels = labels_by_file()
    rows: list[dict[str, Any]] = []
    for folder in folders:
        for path in sorted((SHARED / "realdata" / folder).glob("*")):
            data = path.read_bytes()
            pages = {r.get("page", 1): r for r in labels.get(hashlib.sha256(data).hexdigest(), [])}
            if not pages:
                continue
            for number, style, picture in screenshots(data, [SHOT_STYLES[s] for s in styles]):
                if number not in pages:
                    continue
                digest = hashlib.sha256(picture).hexdigest()
                ext = "jpg" if style.jpeg_quality else "png"
                name = f"{path.stem}.p{number}.{style.name}.{ext}"
                (out / name).write_bytes(picture)
                row = dict(pages[number], sha256=digest, page=1, relpath=f"{folder}/{name}", style=style.name)
                rows.append(row)
    return rows


def read_all(
    out: Path, rows: list[dict[str, Any]], cache: Path | None, progress: bool = False
) -> tuple[list[dict[str, Any]], list[float]]:
    from office_agent.extract.chain import document_chain
    from office_agent.generate.records import invoice_record
    from office_agent.ingest import ocr
    from office_agent.ingest.ocr.replay import CachingEngine
    from office_agent.ingest.sources import Blob
    from office_agent.models import DocFormat

    if cache is not None:
        inner = ocr.FACTORIES["rapidocr"]
        ocr.register_engine("rapidocr-cached", lambda: CachingEngine(inner(), cache / "ocr" / "rapidocr"))
        ocr.set_default_engine("rapidocr-cached")
    preds: list[dict[str, Any]] = []
    seconds: list[float] = []
    for row in rows:
        name = Path(row["relpath"]).name
        data = (out / name).read_bytes()
        started = time.perf_counter()
        try:
            invoices = document_chain.invoke(Blob(name, data, row["sha256"], DocFormat.IMAGE))
        except Exception as exc:  # a benchmark counts a failure as wrong fields, it does not stop
            print(f"  {name}: {type(exc).__name__}: {exc}")
            invoices = []
        seconds.append(time.perf_counter() - started)
        if progress:
            print(f"  {name}: {seconds[-1]:.1f} s", flush=True)
        preds.extend(invoice_record(inv) for inv in invoices[:1])
    return preds, seconds


def per_style(score: ModuleType, rows: list[dict[str, Any]], preds: list[dict[str, Any]]) -> None:
    """Key fields and names/tax ids per style, by score.py's own comparison rules."""
    by_sha = {p["sha256"]: p for p in preds}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # docs, key ok, party ok, party seen
    parties = ("buyer_name", "buyer_tax_id", "seller_name", "seller_tax_id")
    for row in rows:
        pred = by_sha.get(row["sha256"], {})
        c = counts[row["style"]]
        c[0] += 1
        c[1] += all(score.norm_field(f, pred.get(f), row.get(f)) == _want(score, f, row) for f in score.KEY)
        for f in parties:
            if f in row:
                c[3] += 1
                c[2] += score.norm_field(f, pred.get(f), row.get(f)) == _want(score, f, row)
    print("\nstyle         pictures  key fields right   names and tax ids right")
    for style, (n, key, party, seen) in sorted(counts.items()):
        print(
            f"{style:13s} {n:8d}  {key:4d} ({100 * key / n:5.1f}%)     "
            f"{party:4d}/{seen} ({100 * party / max(seen, 1):5.1f}%)"
        )


def _want(score: ModuleType, field: str, row: dict[str, Any]) -> Any:
    value = row.get(field)
    return value if isinstance(value, str) and value.startswith("<PERSON:") else score.norm_field(field, value, value)


def main() -> None:
    from office_agent.synth.screenshots import SHOT_STYLES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", action="store_true", help="score the cn2/ validation set instead of cn/")
    parser.add_argument("--styles", default=",".join(SHOT_STYLES))
    parser.add_argument("--fonts", type=Path, help="a folder of CJK fonts for this process (see above)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench" / "ocr-cache")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the pictures, labels and predictions here (else a temp dir)")
    parser.add_argument("--progress", action="store_true", help="a line per picture as it is read")
    parser.add_argument("--verbose", action="store_true", help="every miss, as score.py --verbose prints them")
    args = parser.parse_args()
    if not (SHARED / "realdata" / "cn").is_dir():
        sys.exit("../shared/realdata is not beside this checkout: nothing to measure")
    if args.fonts:
        use_fonts(args.fonts.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-shots-") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        rows = make_corpus(HELDOUT if args.heldout else DEV, args.styles.split(","), out)
        print(f"{len(rows)} pictures of {len({r['relpath'].split('.p')[0] for r in rows})} documents in {out}")
        preds, seconds = read_all(out, rows, None if args.no_cache else args.cache, args.progress)
        (out / "labels.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        (out / "preds.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), "utf-8")
        cmd = [sys.executable, str(SHARED / "eval" / "score.py"), str(out / "labels.jsonl"), str(out / "preds.jsonl")]
        print(subprocess.run(cmd + (["--verbose"] if args.verbose else []), capture_output=True, text=True).stdout)
        per_style(score_module(), rows, preds)
        seconds.sort()
        print(f"\nseconds per picture: median {seconds[len(seconds) // 2]:.2f}, max {seconds[-1]:.2f}"
              " (OCR readings from the cache take no OCR time)")  # fmt: skip


if __name__ == "__main__":
    main()
