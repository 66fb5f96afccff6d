"""The question side: tokens (jieba for Chinese), BM25 ranking of procedures (rank-bm25), the applicant's profile
read from the question, and whether each item's conditions hold for that profile.

No model is downloaded: jieba ships its dictionary inside the package and builds a prefix-dictionary cache on first
use, written to ``$OFFICE_AGENT_CACHE_DIR`` when set, else to the system temp dir (jieba's default; ``TMPDIR``
moves it). If neither is writable jieba still works, only slower to start.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from office_agent.policy_models import Applicability, ChecklistItem, Condition, ConditionKind, Procedure, Profile

log = logging.getLogger(__name__)

CACHE_ENV = "OFFICE_AGENT_CACHE_DIR"
RELATIVE_CUTOFF = 0.5  # procedures scoring below this share of the best one are left out
MIN_COVERAGE = 0.5  # a procedure must hold at least this share of the question's topic (weighted by rarity)

# Words that say what the user wants done, not what about: they never make a question "match" a document.
_INTENT_WORDS = set(
    [
        "办理",
        "办",
        "申请",
        "申领",
        "领取",
        "需要",
        "需",
        "要",
        "什么",
        "哪些",
        "怎么",
        "怎样",
        "如何",
        "材料",
        "资料",
        "手续",
        "流程",
        "带",
        "准备",
        "提交",
        "携带",
        "我",
        "我的",
        "本人",
        "是",
        "的",
        "了",
        "吗",
        "呢",
        "请问",
        "和",
        "与",
        "在",
        "去",
        "可以",
        "个",
        "一下",
        "清单",
        "东西",
        "想",
        "应该",
        "还",
        "有",
        "人",
        "给",
        "多少",
        "多久",
        "时间",
        "哪里",
        "what",
        "do",
        "does",
        "i",
        "me",
        "my",
        "need",
        "needs",
        "to",
        "for",
        "a",
        "an",
        "the",
        "how",
        "apply",
        "applying",
        "application",
        "get",
        "getting",
        "is",
        "are",
        "of",
        "in",
        "on",
        "and",
        "or",
        "documents",
        "document",
        "required",
        "require",
        "bring",
        "with",
        "can",
        "you",
        "your",
        "which",
        "where",
        "when",
        "should",
        "much",
        "long",
        "it",
        "be",
        "am",
        "was",
        "were",
        "has",
        "have",
        "this",
        "that",
        "there",
        "they",
        "we",
        "our",
        "us",
        "he",
        "she",
        "his",
        "her",
        "its",
        "will",
        "would",
        "could",
        "please",
        "want",
        "wants",
        "要交",
        "我要",
        "我想",
        "交",
        "得",
        "啥",
        "哪样",
        "所需",
        "所需材料",
        "申请材料",
        "带哪些",
        "要带",
        "准备材料",
        "怎么办",
        "办对",
        "上",
        "弄",
        "搞",
        "咋",
        "咋办",
        "能",
        "把",
    ]
)
_PUNCT = re.compile(r"^[\W_]+$")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff]+(?:['.-][A-Za-z0-9]+)*")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading on its own stderr handler
    tokenizer = jieba.Tokenizer()
    cache_dir = os.environ.get(CACHE_ENV)
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        tokenizer.tmp_dir = cache_dir
    return tokenizer


_KNOWN_TOKENS: dict[str, list[str]] = {}  # text → tokens, kept by the guide index (office_agent.policy.index)


def remember_tokens(known: dict[str, list[str]]) -> None:
    """Tokens computed earlier (by another process), so ranking many kept guides does not run jieba again."""
    _KNOWN_TOKENS.update(known)


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: jieba's search-mode words for Chinese, words (plural -s dropped) for the rest."""
    if (known := _KNOWN_TOKENS.get(text)) is not None:
        return list(known)
    tokens: list[str] = []
    pos = 0
    for m in _CJK_RUN.finditer(text):
        tokens += _latin(text[pos : m.start()])
        tokens += [t for t in _jieba().lcut_for_search(m.group(0)) if not _PUNCT.match(t)]
        pos = m.end()
    tokens += _latin(text[pos:])
    return tokens


def _latin(text: str) -> list[str]:
    out = []
    for word in _LATIN_WORD.findall(text.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def topic_tokens(question: str) -> list[str]:
    """The question's tokens that say what it is about (intent words and profile facts removed), deduplicated."""
    seen: dict[str, None] = {}
    for token in tokenize(question):
        if (token not in _INTENT_WORDS and len(token) > 1) or (token.isdigit() and token not in _INTENT_WORDS):
            seen.setdefault(token, None)
    return list(seen)


# --- the applicant's profile ------------------------------------------------------------------------------------

_FACTS: list[tuple[str, Any, re.Pattern[str]]] = [
    (
        "local",
        False,
        re.compile(r"非(?:杭州|本市|本地)(?:市)?(?:户籍|户口)|外地(?:户籍|户口|人)|外省|不是杭州(?:户籍|户口)"),
    ),
    ("local", True, re.compile(r"(?:杭州|本市|本地)(?:市)?(?:户籍|户口|常住户口|本地人)|户籍(?:在|是)杭州")),
    (
        "adult",
        False,
        re.compile(
            r"未成年|儿童|孩子|小孩|婴儿|宝宝|子女|女儿|儿子|\bminors?\b|\bchild(?:ren)?\b|\bkids?\b"
            r"|\bson\b|\bdaughter\b|under 1[68]",
            re.I,
        ),
    ),
    ("adult", True, re.compile(r"成年|成人|大人|\badults?\b|18岁以上|年满十八", re.I)),
    (
        "first_time",
        True,
        re.compile(r"首次|第一次|初次|头一次|从没办过|从未办|没办过|first[- ]time|first passport|never had", re.I),
    ),
    ("renewal", True, re.compile(r"换发|换领|换证|换新|到期|过期|续签|\brenew|expired|expiring", re.I)),
    ("lost", True, re.compile(r"补发|补领|补办|丢失|遗失|丢了|被偷|被盗|\blost\b|\bstolen\b", re.I)),
    ("military", False, re.compile(r"非军人|不是军人|not (?:in the )?military", re.I)),
    ("military", True, re.compile(r"现役军人|军人|武警|军官|士兵|active[- ]duty|military", re.I)),
    (
        "agent",
        True,
        re.compile(r"代办|代领|代为|委托|帮(?:家人|父母|别人|他|她)办|on (?:his|her|their|my \w+'s) behalf", re.I),
    ),
    ("state_employee", True, re.compile(r"公务员|国家工作人员|公职人员|事业单位|国企员工", re.I)),
    (
        "name_change",
        True,
        re.compile(r"改名|姓名变更|变更姓名|更改姓名|changed? (?:my|his|her) name|name change", re.I),
    ),
]
_AGE = re.compile(r"(\d{1,2})\s*(?:周)?岁|\b(?:aged?|age of)\s*(\d{1,2})\b|\b(\d{1,2})[- ]years?[- ]old\b", re.I)


def parse_question(question: str | None) -> Profile:
    """What the question says about the applicant; anything it does not say stays ``None``."""
    profile = Profile()
    if not question:
        return profile
    values: dict[str, Any] = {}
    for name, value, pattern in _FACTS:
        m = pattern.search(question)
        if m and name not in values:
            values[name] = value
            profile.facts.append(m.group(0))
    age = _AGE.search(question)
    if age:
        years = int(next(g for g in age.groups() if g))
        values["age"] = years
        values.setdefault("adult", years >= 18)
        profile.facts.append(age.group(0))
    if values.get("first_time"):
        values.setdefault("renewal", False)
        values.setdefault("lost", False)
    if values.get("renewal") or values.get("lost"):
        values.setdefault("first_time", False)
    return profile.model_copy(update=values)


def _age_holds(kind: ConditionKind, limit: int, profile: Profile) -> bool | None:
    if profile.age is not None:
        return profile.age < limit if kind == ConditionKind.AGE_UNDER else profile.age >= limit
    if profile.adult is True:  # 18 or older
        if kind == ConditionKind.AGE_UNDER:
            return False if limit <= 18 else None
        return True if limit <= 18 else None
    if profile.adult is False:  # under 18
        if kind == ConditionKind.AGE_UNDER:
            return True if limit >= 18 else None
        return False if limit >= 18 else None
    return None


_FLAGS: dict[ConditionKind, str] = {
    ConditionKind.FIRST_TIME: "first_time",
    ConditionKind.RENEWAL: "renewal",
    ConditionKind.LOST: "lost",
    ConditionKind.MILITARY: "military",
    ConditionKind.LOCAL: "local",
    ConditionKind.AGENT: "agent",
    ConditionKind.STATE_EMPLOYEE: "state_employee",
    ConditionKind.NAME_CHANGE: "name_change",
}


def holds(condition: Condition, profile: Profile) -> bool | None:
    """True / False when the profile settles the condition, None when it does not."""
    value: bool | None
    if condition.kind in (ConditionKind.AGE_UNDER, ConditionKind.AGE_AT_LEAST) and condition.value is not None:
        value = _age_holds(condition.kind, condition.value, profile)
    elif condition.kind == ConditionKind.NONLOCAL:
        value = None if profile.local is None else not profile.local
    elif condition.kind in _FLAGS:
        value = getattr(profile, _FLAGS[condition.kind])
    else:
        value = None
    if value is None:
        return None
    return not value if condition.negated else value


def applicability(item: ChecklistItem, profile: Profile) -> Applicability:
    """Conditions of one group are alternatives (any may hold); the groups must all hold."""
    return conditions_applicability(item.conditions, profile)


def conditions_applicability(conditions: Iterable[Condition], profile: Profile) -> Applicability:
    groups: dict[int, list[bool | None]] = {}
    for condition in conditions:
        groups.setdefault(condition.group, []).append(holds(condition, profile))
    verdicts: list[bool | None] = []
    for values in groups.values():
        if any(v is True for v in values):
            verdicts.append(True)
        elif all(v is False for v in values):
            verdicts.append(False)
        else:
            verdicts.append(None)
    if any(v is False for v in verdicts):
        return Applicability.EXCLUDED
    if all(v is True for v in verdicts):
        return Applicability.APPLIES
    return Applicability.DEPENDS


# --- ranking ------------------------------------------------------------------------------------------------------


@dataclass
class Ranking:
    procedures: list[Procedure]  # the relevant ones, best first, with ``score`` set
    topic: list[str]  # the question's topic tokens
    matched: bool  # False: the question has topic words and none of them is in any document
    others: list[Procedure] = field(default_factory=list)  # matches in other files, not answered (best first)


def question_topic(question: str | None) -> list[str]:
    """Topic tokens of the question once the applicant's facts ("杭州户籍", "成年人", "第一次") are taken out."""
    text = question or ""
    for _, _, pattern in _FACTS:
        text = pattern.sub(" ", text)
    return topic_tokens(_AGE.sub(" ", text))


def rank_procedures(procedures: list[Procedure], texts: list[str], question: str | None) -> Ranking:
    """The procedures the question is about, best first.

    A procedure whose *name* holds the question's most specific topic words ("护照", "居住证") is preferred to
    every procedure whose name does not (words in every name, like the city, say nothing). Among those left,
    BM25+ over the whole text decides, and procedures scoring under half the best are left out.
    """
    topic = question_topic(question)
    verbatim = _names_in_question(procedures, question or "") if procedures else None
    if not procedures or (not topic and verbatim is None):
        return Ranking(list(procedures), topic, True)
    if not topic:  # "我要办理暂拆": every word is intent or too short, but the name is written out
        assert verbatim is not None
        return Ranking([procedures[i] for i in verbatim[0]], topic, True)
    from rank_bm25 import BM25Plus

    corpus = [tokenize(f"{p.name} {text}") for p, text in zip(procedures, texts, strict=True)]
    vocabulary = set().union(*map(set, corpus))
    present = [t for t in topic if t in vocabulary]
    if not present and not verbatim:
        return Ranking([], topic, False)
    bm25 = BM25Plus(corpus)
    candidates, titled = verbatim or _title_candidates(procedures, present, bm25.idf)
    if verbatim:
        present = present or topic
    baseline = sum(bm25.idf.get(t, 0.0) * bm25.delta for t in present)  # BM25+ gives every doc δ·idf per term
    scores = [float(s) - baseline for s in bm25.get_scores(present)]
    best = max(scores[i] for i in candidates)
    unseen = math.log((len(corpus) + 1) / 0.5)  # a word no document has is as specific as a word can be
    # A word no guide has cannot tell the guides apart; once a name holds the question's words it is left out
    weights = {
        t: bm25.idf.get(t, unseen) if t in vocabulary else unseen for t in topic if t in vocabulary or not titled
    }
    # One guide handed over on its own is the one asked about: a word of the question it lacks does not rule it out
    min_coverage = MIN_COVERAGE if len({p.file for p in procedures}) > 1 else 0.0
    chosen = []
    for index in sorted(candidates, key=lambda i: -scores[i]):
        score = scores[index]
        if verbatim or (
            score > 0 and score >= best * RELATIVE_CUTOFF and _coverage(corpus[index], weights) > min_coverage
        ):  # a name written out in the question is the question's, whatever the word scores
            reason = _reason(procedures[index], present, titled, score)
            chosen.append(procedures[index].model_copy(update={"score": round(score, 3), "reason": reason}))
    answered = [p for p in chosen if p.file == chosen[0].file] if chosen else []
    others: dict[str, Procedure] = {}
    for p in chosen:
        if p.file != chosen[0].file:
            others.setdefault(p.file, p.model_copy(update={"items": []}))
    return Ranking(answered, topic, bool(chosen), list(others.values()))


def _reason(procedure: Procedure, present: list[str], titled: bool, score: float) -> str:
    """Why a procedure was chosen: the question's words its name holds, else its BM25 score over the text."""
    name = set(tokenize(procedure.name))
    words = [t for t in present if t in name]
    if titled and words:
        return f"name holds {'、'.join(words)}; BM25 {score:.2f}"
    return f"text matches {'、'.join(present)}; BM25 {score:.2f}"


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _names_in_question(procedures: list[Procedure], question: str) -> tuple[list[int], bool] | None:
    """The procedures whose name (or a part of it: "护照 › 首次申领") the question writes out in full, the longest
    such names first: "办理低压居民报装" names 低压居民报装, not 低压非居民报装, whatever the word counts say."""
    asked = _squash(question)
    lengths = []
    for p in procedures:
        parts = [_squash(part) for part in p.name.split("›")]
        lengths.append(sum(len(part) for part in parts if len(part) >= 2 and part in asked))
    top = max(lengths, default=0)
    if top == 0:
        return None
    return [i for i, n in enumerate(lengths) if n == top], True


def _title_candidates(procedures: list[Procedure], present: list[str], idf: dict[str, float]) -> tuple[list[int], bool]:
    """The procedures whose names hold the most of the question's specific words, and whether any name holds one."""
    names = [set(tokenize(p.name)) for p in procedures]
    in_all = set.intersection(*names) if names else set()
    title_scores = [sum(idf.get(t, 0.0) for t in present if t in name and t not in in_all) for name in names]
    top = max(title_scores)
    if top <= 0:
        return list(range(len(procedures))), False
    return [i for i, s in enumerate(title_scores) if s >= top * 0.999], True


def _coverage(tokens: Iterable[str], weights: dict[str, float]) -> float:
    """The share of the question's topic, weighted by how specific each word is, that the text contains."""
    bag = set(tokens)
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in bag) / total if total > 0 else 0.0
