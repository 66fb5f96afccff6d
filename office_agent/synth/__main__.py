"""python -m office_agent.synth samples | OUT_DIR [--count N] [--seed S] [--formats pdf,ofd,xml,zip]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from office_agent.fontfiles import FontMissing
from office_agent.synth import FORMATS, write_corpus, write_samples

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m office_agent.synth", description=__doc__)
    ap.add_argument("out", help="'samples' to rewrite samples/invoices and samples/truth, or an output folder")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default="pdf", help=f"comma-separated, from {','.join(FORMATS)}")
    ap.add_argument("--truth", type=Path, default=None, help="write truth.jsonl into this folder")
    args = ap.parse_args()
    start = time.perf_counter()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        ap.error(f"unknown formats: {', '.join(sorted(unknown))}")
    try:
        if args.out == "samples":
            paths = write_samples(ROOT / "samples" / "invoices", ROOT / "samples" / "truth")
        else:
            paths = write_corpus(Path(args.out), args.count, args.seed, formats, args.truth)
    except FontMissing as exc:  # PDFs embed a CJK font; XML and OFD (--formats xml,ofd) need none
        ap.exit(2, f"error: {exc}; --formats xml,ofd needs no font\n")
    print(f"wrote {len(paths)} files in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
