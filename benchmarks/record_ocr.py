"""Record what the OCR engine reads on an image, as a replayable fixture (``tests/fixtures/ocr/*.json``).

    .venv/bin/python benchmarks/record_ocr.py IMAGE OUT.json [--note TEXT]

The recorded boxes are those of the image as prepared for recognition (found, turned, deskewed, seals washed
out), with that image's size, so a test can rebuild the page with ``page_from_boxes`` and skip the model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from office_agent.ingest.image import load_frames
from office_agent.ingest.ocr import get_engine
from office_agent.ingest.ocr.page import read_pixels
from office_agent.ingest.ocr.replay import RecordingEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("image", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    pixels, dpi = load_frames(args.image.read_bytes())[0]
    engine = RecordingEngine(get_engine())
    read_pixels(pixels, 1, engine, dpi)
    rec = engine.recordings[-1]  # the reading that was kept is the last one made (upright page)
    rec.meta = {"image": args.image.name, "note": args.note}
    args.out.write_text(rec.to_json() + "\n", encoding="utf-8")
    print(f"{len(rec.boxes)} boxes from {args.image.name} ({rec.width}x{rec.height}) → {args.out}")


if __name__ == "__main__":
    main()
