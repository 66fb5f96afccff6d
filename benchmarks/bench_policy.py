"""Policy checklists: recall and precision of required materials on samples/policy, citation resolution, timing.

    .venv/bin/python benchmarks/bench_policy.py            # samples (and ../shared/realdata/policy when present)
    .venv/bin/python benchmarks/bench_policy.py --replay   # the scans with recorded OCR instead of the live model

Then the guides holding several procedures (scored procedure by procedure; a question must pick the right one)
and the scanned and photographed guides (``samples/policy_scanned``, read by the live OCR model unless --replay).

Recall / precision: materials found vs the ground truth (``*.truth.json``), per guide without a question, and per
question over the whole sample folder (the right guide must be chosen and the case's conditions applied).
Citation resolution: the share of *all* items (every kind) whose every citation quotes ``doc.text[start:end]``
exactly and, together, contains the item (its match words when it has truth, else its text).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from office_agent.policy.checklist import build_checklist, read_documents  # noqa: E402
from office_agent.policy.eval import Score, item_citations_resolve, score_items, score_procedures  # noqa: E402
from office_agent.policy_models import ItemKind, PolicyDocument  # noqa: E402

SAMPLES = ROOT / "samples" / "policy"
PROCEDURES = ROOT / "samples" / "policy_procedures"
SCANNED = ROOT / "samples" / "policy_scanned"
RECORDINGS = ROOT / "tests" / "fixtures" / "ocr" / "policy"
REALDATA = ROOT.parent / "shared" / "realdata" / "policy"


def _timed_read(folder: Path) -> tuple[list[PolicyDocument], dict[str, float]]:
    from office_agent.policy.extract.query import tokenize

    tokenize("预热")  # load jieba's dictionary once, outside the timings
    started = time.perf_counter()
    docs, _ = read_documents([folder])
    return docs, {"read_all_s": time.perf_counter() - started}


def main() -> None:
    docs, timings = _timed_read(SAMPLES)
    by_source = {d.source: d for d in docs}
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.truth.json"))]
    per_guide, per_question = Score(), Score()
    resolved = total = 0
    extract_times: list[float] = []
    question_times: list[float] = []
    print(f"{'guide / question':58} {'recall':>7} {'precision':>9}")
    for truth in truths:
        doc = next(d for d in docs if d.source.endswith(truth["file"]))
        started = time.perf_counter()
        checklist = build_checklist([doc])
        extract_times.append(time.perf_counter() - started)
        words = {m["id"]: m["match"] for m in truth["materials"]}
        score, matched = score_items(checklist.items(ItemKind.MATERIAL), words)
        per_guide.add(score)
        print(f"{truth['file']:58} {score.recall:7.1%} {score.precision:9.1%}")
        matched_ids = {id(item): key for key, item in matched.items()}
        for item in checklist.items():
            total += 1
            resolved += item_citations_resolve(item, by_source, words.get(matched_ids.get(id(item), ""), []))
        for q in truth["questions"]:
            started = time.perf_counter()
            answer = build_checklist(docs, q["question"])
            question_times.append(time.perf_counter() - started)
            qs, _ = score_items(answer.items(ItemKind.MATERIAL), {i: words[i] for i in q["expect"]})
            per_question.add(qs)
            print(f"  {q['question'][:40]:{56 - sum(1 for c in q['question'][:40] if ord(c) > 0x2e80)}} "
                  f"{qs.recall:7.1%} {qs.precision:9.1%}")  # fmt: skip
    print()
    print(f"required materials, per guide:    recall {per_guide.recall:.1%}  precision {per_guide.precision:.1%}")
    print(f"required materials, per question: recall {per_question.recall:.1%}  precision {per_question.precision:.1%}")
    print(f"citations resolving to text containing the item: {resolved}/{total} = {resolved / max(total, 1):.1%}")
    print(
        f"read 4 sample files: {timings['read_all_s'] * 1000:.0f} ms; extract one guide: median "
        f"{statistics.median(extract_times) * 1000:.0f} ms; answer a question over the folder: median "
        f"{statistics.median(question_times) * 1000:.0f} ms"
    )
    if per_guide.missing or per_question.missing:
        print(f"missing: {per_guide.missing + per_question.missing}")
    if REALDATA.is_dir():
        real, _ = read_documents([REALDATA])
        started = time.perf_counter()
        checklist = build_checklist(real, "公民申请普通护照需要什么材料")
        elapsed = time.perf_counter() - started
        real_by_source = {d.source: d for d in real}
        items = build_checklist(real).items()
        ok = sum(item_citations_resolve(i, real_by_source) for i in items)
        print(
            f"realdata ({len(real)} files): citations resolving {ok}/{len(items)} = {ok / max(len(items), 1):.1%}; "
            f"question answered in {elapsed * 1000:.0f} ms from {len(checklist.procedures)} procedure(s)"
        )


def _guide_score(doc: PolicyDocument, truth: dict) -> tuple[Score, int, int, float]:
    """Materials of one guide (procedure by procedure when its truth has them), and citations resolving."""
    started = time.perf_counter()
    checklist = build_checklist([doc])
    elapsed = time.perf_counter() - started
    words = {m["id"]: m["match"] for m in truth["materials"]}
    if "procedures" in truth:
        score, matched, _ = score_procedures(checklist.procedures, truth)
    else:
        score, matched = score_items(checklist.items(ItemKind.MATERIAL), words)
    by_item = {id(item): key for key, item in matched.items()}
    items = checklist.items()
    ok = sum(item_citations_resolve(i, {doc.source: doc}, words.get(by_item.get(id(i), ""), [])) for i in items)
    return score, ok, len(items), elapsed


def _question_score(docs: list[PolicyDocument], truth: dict, q: dict) -> tuple[Score, bool]:
    words = {m["id"]: m["match"] for m in truth["materials"]}
    answer = build_checklist(docs, q["question"])
    score, _ = score_items(answer.items(ItemKind.MATERIAL), {i: words[i] for i in q["expect"]})
    wanted = q.get("procedures")
    right = bool(answer.procedures) and all(p.file.endswith(truth["file"]) for p in answer.procedures)
    if wanted is not None:
        right = right and [p.name.rsplit("›", 1)[-1].strip() for p in answer.procedures] == wanted
    return score, right


def bench_folder(title: str, folder: Path, pattern: str = "*.truth.json") -> None:
    """One more sample folder: per guide, then per question over the folder."""
    started = time.perf_counter()
    docs, outcomes = read_documents([folder])
    read_s = time.perf_counter() - started
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob(pattern))]
    print(f"\n{title} ({len(docs)} files read in {read_s:.1f} s)")
    for o in outcomes:
        if o.status.value not in ("ok", "partial"):
            print(f"  {Path(o.source).name}: {o.status.value} — {o.reason}")
    per_guide, per_question = Score(), Score()
    resolved = total = procedures_right = n_questions = 0
    for truth in truths:
        doc = next((d for d in docs if d.source.endswith(truth["file"])), None)
        if doc is None:
            continue
        score, ok, n, _ = _guide_score(doc, truth)
        per_guide.add(score)
        resolved, total = resolved + ok, total + n
        print(f"  {truth['file']:56} {score.recall:7.1%} {score.precision:9.1%}   citations {ok}/{n}")
        for q in truth["questions"]:
            qs, right = _question_score(docs, truth, q)
            per_question.add(qs)
            n_questions += 1
            procedures_right += right
    print(f"  required materials, per guide:    recall {per_guide.recall:.1%}  precision {per_guide.precision:.1%}")
    print(
        f"  required materials, per question: recall {per_question.recall:.1%}  "
        f"precision {per_question.precision:.1%}; right procedure(s) chosen {procedures_right}/{n_questions}"
    )
    print(f"  citations resolving to text containing the item: {resolved}/{total} = {resolved / max(total, 1):.1%}")
    if per_guide.missing or per_question.missing:
        print(f"  missing: {per_guide.missing + per_question.missing}")


def bench_more(replay: bool) -> None:
    bench_folder("guides holding several procedures (samples/policy_procedures)", PROCEDURES)
    if replay:
        from office_agent.ingest import ocr
        from office_agent.ingest.ocr.replay import SequenceReplayEngine, load_recordings

        recordings = {p.name.removesuffix(".json"): p for p in RECORDINGS.glob("*.json")}
        calls = [r for name in sorted(recordings) for r in load_recordings(recordings[name])]  # files read sorted
        engine = SequenceReplayEngine(calls)
        ocr.register_engine("replay", lambda: engine)
        ocr.set_default_engine("replay")
    title = "scanned and photographed guides (samples/policy_scanned), OCR " + ("replayed" if replay else "live")
    bench_folder(title, SCANNED)


if __name__ == "__main__":
    main()
    bench_more(replay="--replay" in sys.argv[1:])
