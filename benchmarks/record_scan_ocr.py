"""Record every OCR call made while reading a generated scan of a sample, as a replayable fixture.

    .venv/bin/python benchmarks/record_scan_ocr.py samples/invoices/01_digital_general.pdf scan 1 OUT.json

The scan is made by :mod:`office_agent.synth.scans` (style, seed), so a test regenerates the same pixels and
replays the engine's answers call by call (orientation tries included): the page frame, and so the review
picture's boxes, come out as they did with the real model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from office_agent.ingest.image import load_frames
from office_agent.ingest.ocr import get_engine
from office_agent.ingest.ocr.page import read_pixels
from office_agent.ingest.ocr.replay import RecordingEngine
from office_agent.synth.scans import STYLES, scan_pdf, with_dpi

DPI = 200.0


def make_scan(pdf: Path, style: str, seed: int) -> bytes:
    return scan_pdf(pdf.read_bytes(), with_dpi(STYLES[style], DPI), seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdf", type=Path)
    parser.add_argument("style", choices=sorted(STYLES))
    parser.add_argument("seed", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    pixels, dpi = load_frames(make_scan(args.pdf, args.style, args.seed))[0]
    engine = RecordingEngine(get_engine())
    read_pixels(pixels, 1, engine, dpi)
    calls = [json.loads(r.to_json()) for r in engine.recordings]
    meta = {"pdf": args.pdf.name, "style": args.style, "seed": args.seed, "dpi": DPI, "engine": engine.name}
    args.out.write_text(json.dumps({"meta": meta, "calls": calls}, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(calls)} call(s), {sum(len(c['boxes']) for c in calls)} boxes → {args.out}")


if __name__ == "__main__":
    main()
