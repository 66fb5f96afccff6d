"""Speed and bounds of the policy path: one text guide, 1,000 guides (first question vs later ones, with the guide
index), and the hostile guides the issue names (a DOCX member inflating to 1.5 GB, a 300,000-row HTML table, a
5,000-page PDF), each ending with a reason in bounded time and memory.

    .venv/bin/python benchmarks/bench_policy_scale.py [--guides 1000] [--scans 3] [--no-hostile] [--keep DIR]

The 1,000 guides are the synthetic guides of ``office_agent.synth.policy`` (samples/policy and
samples/policy_procedures), each made distinct by a numbered issuing office in its title and rendered in turn as
Markdown, HTML, DOCX and PDF; ``--scans`` copies of the scanned samples (samples/policy_scanned) go with them, read
by the live OCR engine the first time. Every figure is a fresh ``python -m office_agent`` process (what a user runs:
start-up and imports included), timed with its peak RSS (the largest of the process and its pool workers).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

QUESTIONS = [
    "杭州户籍办理护照需要什么材料",
    "居住证怎么办理需要什么材料",
    "身份证换领需要哪些材料",
    "差旅费报销需要什么材料",
]


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB) of the process and the workers it waited for, exit code, stderr's last line."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "office_agent", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    return time.perf_counter() - started, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else ""


def write_guides(folder: Path, count: int, scans: int) -> None:
    from office_agent.synth.policy import RENDERERS, guides, procedure_guides

    base = guides() + procedure_guides()
    suffixes = [".md", ".html", ".docx", ".pdf"]
    for i in range(count):
        guide = base[i % len(base)]
        suffix = suffixes[(i // len(base)) % len(suffixes)]
        office = f"（第{i + 1:04d}号 示例区政务服务中心发布）"
        name = f"{i + 1:04d}_{guide.name}"
        variant = dataclasses.replace(guide, name=name, suffix=suffix, title=guide.title + office)
        RENDERERS[suffix](variant, folder / f"{variant.name}{suffix}")
    scanned = sorted(p for p in (ROOT / "samples" / "policy_scanned").iterdir() if not p.name.endswith(".json"))
    for i in range(scans):
        src = scanned[i % len(scanned)]
        shutil.copy(src, folder / f"scan_{i:02d}_{src.name}")


def bench_text_guide(work: Path) -> None:
    guide = ROOT / "samples" / "policy" / "travel_expense_policy.md"
    out = work / "one.json"
    print("\n## one text guide (travel_expense_policy.md), fresh process, no index")
    times = []
    for _ in range(3):
        wall, rss, _, _ = run_cli("checklist", str(guide), "--question", QUESTIONS[3], "--no-index", "-f", "json",
                                  "-o", str(out), "-q")  # fmt: skip
        times.append(wall)
    print(f"  wall {min(times):.2f} s best of 3 (all: {', '.join(f'{t:.2f}' for t in times)}), peak RSS {rss:.0f} MB")
    from office_agent.policy.checklist import checklist_from_paths
    from office_agent.policy.extract.query import tokenize

    tokenize("预热")
    inner = []
    for _ in range(5):
        started = time.perf_counter()
        checklist_from_paths([guide], QUESTIONS[3], workers=0)
        inner.append(time.perf_counter() - started)
    print(f"  in process (read + extract + answer, imports and jieba loaded): {min(inner) * 1000:.0f} ms best of 5")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import office_agent.cli"], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    print(f"  of which start-up (python -c 'import office_agent.cli'): {time.perf_counter() - started:.2f} s")


def bench_many(work: Path, count: int, scans: int) -> None:
    folder, cache = work / "guides", work / "cache"
    folder.mkdir()
    started = time.perf_counter()
    write_guides(folder, count, scans)
    print(f"\n## {count} guides + {scans} scans (written in {time.perf_counter() - started:.0f} s), --cache {cache}")
    env = {"OFFICE_AGENT_GUIDES_CACHE": str(cache)}
    out = work / "many.json"
    wall, rss, code, last = run_cli("checklist", str(folder), "--question", QUESTIONS[0], "-f", "json", "-o",
                                    str(out), "-j", "2", env=env)  # fmt: skip
    print(f"  first question (reads every guide, 2 workers): {wall:.1f} s, peak RSS {rss:.0f} MB, exit {code}: {last}")
    for question in QUESTIONS:
        wall, rss, code, last = run_cli("checklist", str(folder), "--question", question, "-f", "json", "-o",
                                        str(out), env=env)  # fmt: skip
        data = json.loads(out.read_text(encoding="utf-8"))
        lead = Path(data["procedures"][0]["file"]).name if data["procedures"] else "-"
        print(f"  later question {question!r}: {wall:.2f} s, peak RSS {rss:.0f} MB, exit {code}; leads: {lead}")
    from office_agent.policy.checklist import build_checklist
    from office_agent.policy.guides import load_guides
    from office_agent.policy.index import GuideIndex
    from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS

    started = time.perf_counter()
    with GuideIndex(cache, DEFAULT_DOC_LIMITS) as index:
        guides = load_guides([folder], index=index)
        loaded = time.perf_counter() - started
        build_checklist([], QUESTIONS[0], files=guides.files, extracted=guides.extracted)
    print(f"  later question in process (no start-up): {time.perf_counter() - started:.2f} s "
          f"(index lookups + loading {len(guides.extracted)} procedures {loaded:.2f} s, read {guides.read_now})")
    victim = sorted(folder.glob("*.md"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n\n附：本指南已更新。\n", encoding="utf-8")
    wall, rss, code, last = run_cli("checklist", str(folder), "--question", QUESTIONS[0], "-f", "json", "-o",
                                    str(out), env=env)  # fmt: skip
    print(f"  after one guide changed (read again): {wall:.2f} s, exit {code}")


def bench_hostile(work: Path) -> None:
    from hostile.guides import docx_bomb, html_table, pdf_pages

    print("\n## hostile guides, each alone, fresh process, no index")
    made = {
        "bomb.docx (a member inflating to 1.5 GB)": ("bomb.docx", lambda: docx_bomb(1536 << 20)),
        "table.html (300,000 rows)": ("table.html", lambda: html_table(300_000)),
        "pages.pdf (5,000 pages)": ("pages.pdf", lambda: pdf_pages(5000)),
    }
    for label, (name, build) in made.items():
        path = work / name
        started = time.perf_counter()
        path.write_bytes(build())
        built = time.perf_counter() - started
        wall, rss, code, _ = run_cli("checklist", str(path), "--question", "需要什么材料", "--no-index", "-f", "json",
                                     "-o", str(work / "h.json"))  # fmt: skip
        data = json.loads((work / "h.json").read_text(encoding="utf-8")) if (work / "h.json").exists() else {}
        reason = next((f["reason"] for f in data.get("files", [])), "")
        size = path.stat().st_size / 2**20
        print(f"  {label}, {size:.1f} MB on disk (built in {built:.0f} s): {wall:.1f} s, peak RSS {rss:.0f} MB, "
              f"exit {code} — {reason}")  # fmt: skip
        path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guides", type=int, default=1000)
    ap.add_argument("--scans", type=int, default=3)
    ap.add_argument("--no-hostile", action="store_true")
    ap.add_argument("--keep", type=Path, help="work here (kept) instead of a temporary folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        bench_text_guide(work)
        if args.guides:
            bench_many(work, args.guides, args.scans)
        if not args.no_hostile:
            bench_hostile(work)


if __name__ == "__main__":
    main()
