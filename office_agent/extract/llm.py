"""The opt-in LLM fallback: asked only for the fields the deterministic steps missed, never required.

Any OpenAI-compatible endpoint (Qwen on DashScope, vLLM, LM Studio) through langchain-openai, or a local Ollama
through langchain-ollama, with ``with_structured_output`` on :class:`LlmInvoiceFields` (the project's own field
names). What it returns is only a candidate of the lowest rank (``Source.LLM``): it fills gaps, never overrides
a value read from the document, and the same checks judge it. With ``redact`` on (the default), tax ids and
personal names are replaced by placeholders before the text leaves the machine and restored in the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from office_agent.errors import OfficeAgentError
from office_agent.models import Document, Extraction, Page, Provenance, Source
from office_agent.settings import LlmSettings

log = logging.getLogger(__name__)

LLM_CONFIDENCE = 0.5


class LlmError(OfficeAgentError):
    """The LLM could not be reached or gave no usable answer: the record keeps its deterministic fields."""


class LlmInvoiceFields(BaseModel):
    """Invoice header fields as printed; null when the text does not show them."""

    invoice_code: str | None = Field(None, description="发票代码: 10 or 12 digits, legacy invoices only")
    invoice_number: str | None = Field(None, description="发票号码: 8 digits (legacy) or 20 digits (数电)")
    issue_date: str | None = Field(None, description="开票日期 as YYYY-MM-DD")
    buyer_name: str | None = Field(None, description="购买方 名称")
    buyer_tax_id: str | None = Field(None, description="购买方 统一社会信用代码/纳税人识别号")
    seller_name: str | None = Field(None, description="销售方 名称")
    seller_tax_id: str | None = Field(None, description="销售方 统一社会信用代码/纳税人识别号")
    amount_without_tax: str | None = Field(None, description="合计 金额 (tax-exclusive), digits only")
    tax_amount: str | None = Field(None, description="合计 税额, digits only")
    total_amount: str | None = Field(None, description="价税合计（小写）, digits only")
    total_amount_in_words: str | None = Field(None, description="价税合计（大写）")


SYSTEM_PROMPT = (
    "You read the text of one Chinese invoice (发票). Return the requested fields exactly as printed, "
    "as JSON with these keys: {keys}. Use null for anything not printed; never guess or compute a value. "
    "Placeholders such as <TAXID_1> or <NAME_1> stand for masked values: copy them unchanged."
)

_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10}(?![0-9A-Z])")
# Older 15/17/20-character taxpayer numbers look like any other number (a 20-digit invoice number, say): they are
# masked only where a tax-id label stands just before them.
_LABELLED_ID = re.compile(r"(?:纳税人识别号|识别号|税号|信用代码)[^0-9A-Z]{0,20}?([0-9A-Z]{15,20})(?![0-9A-Z])")
_NAME_AFTER_LABEL = re.compile(
    r"(开票人|收款人|复核人?|审核人|联系人|姓名|乘车人|乘机人|旅客|持卡人)\s*[:：]?\s*([\u4e00-\u9fff·]{2,4})"
)


class Redactor:
    """Masks tax ids and personal names with placeholders, and restores them in the answer."""

    def __init__(self) -> None:
        self._forward: dict[str, str] = {}
        self._back: dict[str, str] = {}

    def _placeholder(self, kind: str, value: str) -> str:
        if value not in self._forward:
            token = f"<{kind}_{sum(1 for k in self._back if k.startswith('<' + kind)) + 1}>"
            self._forward[value] = token
            self._back[token] = value
        return self._forward[value]

    def mask(self, text: str, extra_names: Sequence[str] = ()) -> str:
        for m in _NAME_AFTER_LABEL.finditer(text):
            self._placeholder("NAME", m.group(2))
        for name in extra_names:
            if name:
                self._placeholder("NAME", name)
        for m in _LABELLED_ID.finditer(text):
            self._placeholder("TAXID", m.group(1))
        text = _CREDIT_CODE.sub(lambda m: self._placeholder("TAXID", m.group(0)), text)
        for value, token in self._forward.items():
            if token.startswith("<TAXID"):
                text = re.sub(rf"(?<![0-9A-Z]){re.escape(value)}(?![0-9A-Z])", token, text)
        for value, token in sorted(self._forward.items(), key=lambda kv: -len(kv[0])):
            if token.startswith("<NAME"):
                text = text.replace(value, token)
        return text

    def unmask(self, value: str) -> str:
        return re.sub(r"<(?:TAXID|NAME)_\d+>", lambda m: self._back.get(m.group(0), m.group(0)), value)

    @property
    def masked(self) -> int:
        return len(self._forward)


def page_text(page: Page) -> str:
    """The page's runs in reading order, one printed line per line of text."""
    lines: list[list[tuple[float, str]]] = []
    tops: list[float] = []
    for w in sorted(page.words, key=lambda w: (w.bbox[1], w.bbox[0])):
        height = max(w.bbox[3] - w.bbox[1], 1.0)
        if tops and abs(w.bbox[1] - tops[-1]) < height * 0.5:
            lines[-1].append((w.bbox[0], w.text))
        else:
            lines.append([(w.bbox[0], w.text)])
            tops.append(w.bbox[1])
    return "\n".join(" ".join(t for _, t in sorted(line)) for line in lines)


def make_structured_model(settings: LlmSettings, schema: type[BaseModel] | None = None) -> Any:
    """The chat model with structured output (``schema``, by default the invoice fields), as configured.
    Imported lazily: the extras are optional."""
    if not settings.enabled:
        raise LlmError("no LLM configured (set llm.model and llm.base_url)")
    if settings.provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise LlmError("the Ollama provider needs `pip install office-agent[llm]`") from exc
        model: Any = ChatOllama(
            model=settings.model or "",
            base_url=settings.base_url,
            temperature=0,
            client_kwargs={"timeout": settings.timeout_s},
        )
    else:
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # pragma: no cover
            raise LlmError("the OpenAI-compatible provider needs `pip install office-agent[llm]`") from exc
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        model = ChatOpenAI(
            model=settings.model or "",
            base_url=settings.base_url,
            api_key=key,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
            temperature=0,
        )
    return model.with_structured_output(schema or LlmInvoiceFields, method=settings.method)


def llm_extract(doc: Document, pages: list[int], structured: Any, redact: bool, known_names: list[str]) -> Extraction:
    """Ask the model for the fields on ``pages``; a candidate per non-null answer, marked ``Source.LLM``."""
    text = "\n\n".join(page_text(p) for p in doc.pages if p.number in pages)
    if not text.strip():
        raise LlmError("the page has no text to send")
    redactor = Redactor()
    if redact:
        text = redactor.mask(text, known_names)
    keys = ", ".join(LlmInvoiceFields.model_fields)
    try:
        answer = structured.invoke([("system", SYSTEM_PROMPT.format(keys=keys)), ("human", text)])
    except Exception as exc:  # timeouts, refusals, malformed JSON: all cost only the fallback
        raise LlmError(f"LLM fallback failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if isinstance(answer, dict):
        answer = LlmInvoiceFields.model_validate(answer)
    if not isinstance(answer, LlmInvoiceFields):
        raise LlmError(f"LLM fallback failed: it returned {type(answer).__name__}, not the invoice fields")
    if not any(v is not None for v in answer.model_dump().values()):
        # Lenient JSON parsers turn a malformed reply into an empty object: say so rather than pass silently.
        raise LlmError("LLM fallback failed: the answer held none of the fields (malformed or empty JSON)")
    ext = Extraction(page=min(pages))
    prov = Provenance(source=Source.LLM, page=min(pages), confidence=LLM_CONFIDENCE, detail="LLM fallback")
    for field, value in answer.model_dump().items():
        if isinstance(value, str | int | float) and str(value).strip():
            ext.add(field, redactor.unmask(str(value)), prov)
    return ext
