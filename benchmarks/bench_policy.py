"""Policy checklists: recall and precision of required materials on samples/policy, citation resolution, timing.

    .venv/bin/python benchmarks/bench_policy.py            # samples (and ../shared/realdata/policy when present)

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

from office_agent.extract.policy_checklist import build_checklist, read_documents  # noqa: E402
from office_agent.policy_eval import Score, item_citations_resolve, score_items  # noqa: E402
from office_agent.policy_models import ItemKind, PolicyDocument  # noqa: E402

SAMPLES = ROOT / "samples" / "policy"
REALDATA = ROOT.parent / "shared" / "realdata" / "policy"


def _timed_read(folder: Path) -> tuple[list[PolicyDocument], dict[str, float]]:
    from office_agent.extract.policy_query import tokenize

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


if __name__ == "__main__":
    main()
