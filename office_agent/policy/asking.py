"""``ask`` with a policy question in plain words: "杭州户籍办理护照需要什么材料", "第一次办护照要带什么",
"How do I renew my passport by mail".

:func:`is_policy_question` tells such a question from an invoice request ("帮我生成2024年度报销台账"): asking
what to bring, prepare or submit is a policy question even when it names 报销 ("差旅费报销需要什么材料"); without
such a phrase, an invoice word (台账, 发票, 报销, ledger …) makes it an invoice request, and a procedure word (办理,
申请, 护照 …) a policy question.
:func:`guide_sources` finds the guides to answer from: web addresses in the question, the paths given, else the
folders of ``[guides] paths`` in ``office-agent.toml``; :func:`no_guide_help` says where to get one and what to
pass when there is none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

_ASKS_WHAT_TO_BRING = re.compile(
    r"(?:需要|要|得|该|须|需)\s*(?:带|准备|提交|提供|交|携带|备)?\s*(?:些)?(?:什么|哪些|啥)\s*(?:材料|证件|资料|东西|手续|证明)?"
    r"|(?:材料|证件|资料|手续)\s*(?:有哪些|是什么|清单)"
    r"|怎么办理|如何办理|怎样办理|怎么申请|如何申请|办理流程|办事指南",
)
_PROCEDURE_WORDS = re.compile(
    r"办理|申请|申领|补办|补领|换领|换证|办证|登记|备案|户口|户籍|迁移|落户|护照|身份证|居住证|驾驶证|驾照|签证|营业执照"
    r"|公积金|社保|医保|不动产"
)
_EN_ASKS = re.compile(
    r"\b(?:how (?:do|can|should) i|how to|what (?:documents|papers|do i need|is needed|are the requirements))\b"
    r"|\b(?:requirements? for|documents? (?:needed|required)|apply for|renew(?:al)?|replace(?:ment)?)\b",
    re.IGNORECASE,
)
_EN_PROCEDURES = re.compile(
    r"\b(?:passport|visa|driver'?s licen[cs]e|id card|residence permit|birth certificate|green card)\b", re.IGNORECASE
)
_INVOICE_WORDS = re.compile(r"台账|发票|报销|复核报告|ledger|invoice|fapiao|receipts?\b|expenses?\b", re.IGNORECASE)
_INVOICE_OUTPUTS = re.compile(r"台账|复核报告|ledger|review report", re.IGNORECASE)  # what the invoice jobs make
_URL = re.compile(r"https?://[^\s\"'<>，。；）]+", re.IGNORECASE)


def is_policy_question(text: str, *, invoice_job: bool = False) -> bool:
    """Whether ``text`` asks what a procedure needs. ``invoice_job``: the invoice rules understood a job in it."""
    raw = unicodedata.normalize("NFKC", text)
    if _ASKS_WHAT_TO_BRING.search(raw) or _URL.search(raw):
        return not (invoice_job and _INVOICE_OUTPUTS.search(raw) and not _PROCEDURE_WORDS.search(raw))
    if _EN_ASKS.search(raw) and (_EN_PROCEDURES.search(raw) or not invoice_job):
        return True
    if _INVOICE_WORDS.search(raw):
        return False
    return bool(_PROCEDURE_WORDS.search(raw) or _EN_PROCEDURES.search(raw))  # "申请公积金提取" is not "extract"


def urls_in(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;)") for m in _URL.finditer(text)]


def _as_source(path: Path) -> str:
    """A path argument as the user typed it (``Path`` folds ``https://`` into ``https:/``)."""
    name = str(path)
    return re.sub(r"^(https?):/(?!/)", r"\1://", name, flags=re.IGNORECASE)


def guide_sources(text: str, paths: Sequence[Path], configured: Sequence[Path]) -> list[str]:
    """Web addresses in the question, then the paths given; when neither, the configured guide folders that exist."""
    given = urls_in(text) + [_as_source(p) for p in paths]
    if given:
        return given
    return [str(p) for p in configured if p.exists()]


def question_without_urls(text: str) -> str:
    return _URL.sub(" ", text).strip()


def no_guide_help(text: str) -> str:
    """Where to get a guide and what to pass, in the question's language."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return (
            "手头没有可用的办事指南。请把指南放在问题后面：office-agent ask \"" + text + "\" 指南.pdf"
            "（PDF、DOCX、HTML、Markdown、扫描件，或一个文件夹），或者直接给出网址 https://…；"
            "也可以在 office-agent.toml 里写 [guides] paths = [\"存放指南的文件夹\"]。"
            "指南可在当地政务服务网（如“浙江政务服务网”“广西数字政务一体化平台”）该事项的“办事指南”页下载或复制网址。"
        )
    return (
        "No guide to answer from. Name one after the question: office-agent ask \"" + text + "\" guide.pdf "
        "(PDF, DOCX, HTML, Markdown, a scan, or a folder of them), or give its web address https://…; or set "
        "[guides] paths = [\"folder of guides\"] in office-agent.toml. Guides are published by the office that "
        "handles the procedure (for a US passport: travel.state.gov; in China: the province's 政务服务网)."
    )


__all__ = ["guide_sources", "is_policy_question", "no_guide_help", "question_without_urls", "urls_in"]
