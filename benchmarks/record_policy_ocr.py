"""Record what the OCR engine reads on the scanned and photographed sample guides, for the replay tests.

    .venv/bin/python benchmarks/record_policy_ocr.py [FILES...]   # default: samples/policy_scanned/*

Writes ``tests/fixtures/ocr/policy/<file>.json``: every call the pipeline made to the engine for that file (each
page, and any re-reading turned or flipped), in order. ``tests/test_policy_ocr.py`` replays them without the model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from office_agent.ingest import ocr  # noqa: E402
from office_agent.ingest.ocr.replay import RecordingEngine, save_recordings  # noqa: E402
from office_agent.policy.ingest.docs import SUFFIXES, read_policy_file  # noqa: E402

SCANNED = ROOT / "samples" / "policy_scanned"
OUT = ROOT / "tests" / "fixtures" / "ocr" / "policy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted(p for p in SCANNED.iterdir() if p.suffix.lower() in SUFFIXES)
    OUT.mkdir(parents=True, exist_ok=True)
    inner = ocr.get_engine("rapidocr")
    for path in files:
        recorder = RecordingEngine(inner)
        ocr.register_engine("recording", lambda r=recorder: r)  # type: ignore[misc]
        ocr.set_default_engine("recording")
        doc = read_policy_file(path)
        target = OUT / f"{path.name}.json"
        meta = {"file": path.name, "engine": "RapidOCR, PP-OCRv6 small det + rec (from the wheel)"}
        save_recordings(recorder.recordings, target, meta)
        print(f"{path.name}: {len(recorder.recordings)} calls, {len(doc.blocks)} blocks → {target.relative_to(ROOT)}")
    ocr.set_default_engine(None)


if __name__ == "__main__":
    main()
