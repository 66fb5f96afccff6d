"""Print the blocks a guide is read into: kind, numbering, level, text, section path, parent and page; table rows
with their header. For checking a reader on a real document without running extraction.

    .venv/bin/python scripts/policy_blocks.py GUIDE... [--width 110]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from office_agent.errors import InputError
from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy_models import BlockKind, PolicyDocument


def dump(doc: PolicyDocument, width: int) -> list[str]:
    lines = [f"## {doc.source}: {doc.kind.value}, title {doc.title!r}, {len(doc.blocks)} blocks {doc.warnings or ''}"]
    for i, b in enumerate(doc.blocks):
        section = " › ".join(b.location.section)[-60:]
        where = f"[{section}]" + (f" p{b.location.page}" if b.location.page else "")
        if b.kind == BlockKind.TABLE_ROW:
            body = f"row {[c[:20] for c in b.cells]} header {[c[:12] for c in b.header]}"
        else:
            body = f"{b.kind.value[:4]} L{b.level} {b.marker or ''} {b.text[:width]}"
        parent = f" ^{b.parent}" if b.parent is not None else ""
        lines.append(f"{i:4} {body}  {where}{parent}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the blocks a guide is read into.")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--width", type=int, default=110, help="characters of each block's text shown")
    args = parser.parse_args()
    for path in args.paths:
        try:
            print("\n".join(dump(read_policy_file(path), args.width)))
        except InputError as exc:
            print(f"## {path}: {exc}")


if __name__ == "__main__":
    main()
