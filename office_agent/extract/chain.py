"""The extraction chain as langchain-core Runnables.

Per file: ``load → extract → normalise → fallback → validate → classify``; per batch: ``deduplicate``.
Each step is usable on its own from a notebook, and they compose with ``|``::

    from office_agent.extract.chain import build_chain, blob_from_path
    chain = build_chain()                                      # settings from office-agent.toml / environment
    invoices = chain.invoke(blob_from_path("samples/invoices/x.pdf"))
    chain.batch(blobs, return_exceptions=True)                 # one exception per bad item, the rest go on

    steps = chain_steps()                                      # the steps by name, to run or replace one
    doc = steps["load"].invoke(blob); work = steps["extract"].invoke(doc)

Deterministic first: the ``fallback`` step calls the opt-in LLM only for records whose key fields are still
missing or whose checks failed, and only when an LLM is configured; otherwise it passes the work through.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.runnables import Runnable, RunnableConfig

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import NotAnInvoice
from office_agent.extract.assemble import assemble
from office_agent.extract.bundle import SeenIndex, deduplicate
from office_agent.extract.checks import KEY_FIELDS, validate
from office_agent.extract.classify import CategoryRules, classify_category, classify_kind, load_category_rules
from office_agent.extract.document import extract_document
from office_agent.extract.llm import LlmError, llm_extract, make_structured_model
from office_agent.extract.ocrconf import flag_low_confidence, reconcile_amounts
from office_agent.ingest import read_document, sniff
from office_agent.ingest.sources import Blob
from office_agent.models import Document, Extraction, Invoice
from office_agent.settings import Settings

log = logging.getLogger(__name__)

In = TypeVar("In")
Out = TypeVar("Out")


class Step(Runnable[In, Out]):
    """A deterministic step as a Runnable: composes with ``|``, batches with ``return_exceptions``.

    Unlike ``RunnableLambda`` it does not inspect the function's signature on every call (that alone cost
    ~0.7 ms per file, a tenth of a digital PDF's whole budget); callbacks and tracing are not needed offline.
    """

    def __init__(self, func: Callable[[In], Out], name: str) -> None:
        self.func = func
        self.name = name

    def invoke(self, input: In, config: RunnableConfig | None = None, **kwargs: Any) -> Out:
        return self.func(input)

    def __or__(self, other: Any) -> Any:
        return _pipe(self, other) or super().__or__(other)


class Steps(Runnable[In, Out]):
    """Steps run one after the other: what ``step | step`` builds here.

    LangChain's ``RunnableSequence`` does the same through a callback manager and a child run per step, which
    cost 0.15-0.25 ms a file (measured: a tenth of a digital PDF's whole time) for tracing that nothing listens
    to offline. Piping into any other Runnable still gives a ``RunnableSequence``.
    """

    def __init__(self, steps: list[Runnable[Any, Any]]) -> None:
        self.steps = steps
        self.name = " | ".join(s.get_name() for s in steps)

    def invoke(self, input: In, config: RunnableConfig | None = None, **kwargs: Any) -> Out:
        value: Any = input
        for step in self.steps:
            value = step.invoke(value, config)
        return value

    def __or__(self, other: Any) -> Any:
        return _pipe(self, other) or super().__or__(other)


def _pipe(left: Step[Any, Any] | Steps[Any, Any], right: Any) -> Steps[Any, Any] | None:
    if not isinstance(right, (Step, Steps)):
        return None
    return Steps([*_parts(left), *_parts(right)])


def _parts(runnable: Step[Any, Any] | Steps[Any, Any]) -> list[Runnable[Any, Any]]:
    return runnable.steps if isinstance(runnable, Steps) else [runnable]


@dataclass
class Work:
    """What travels between the per-file steps: the document, its extractions grouped per invoice, and one record
    per group (None where a group had no invoice fields: a cover page, a blank page, or a page for the fallback).
    """

    document: Document
    groups: list[list[Extraction]]
    invoices: list[Invoice | None] = field(default_factory=list)

    @property
    def records(self) -> list[Invoice]:
        return [inv for inv in self.invoices if inv is not None]


def blob_from_path(path: str | Path) -> Blob:
    data = Path(path).read_bytes()
    return Blob(str(path), data, hashlib.sha256(data).hexdigest(), sniff(data))


def load(blob: Blob, limits: Limits = DEFAULT_LIMITS) -> Document:
    return read_document(blob.source, blob.sha256, blob.data, blob.format, limits)


def extract(doc: Document) -> Work:
    return Work(doc, extract_document(doc))


def normalise(work: Work) -> Work:
    """Candidates → one record per group: values normalised, chosen by source rank, kind from title and QR."""
    work.invoices = [_assemble(work.document, group) for group in work.groups]
    work.invoices = [inv if inv is not None and _has_invoice_fields(inv) else None for inv in work.invoices]
    return work


def _has_invoice_fields(inv: Invoice) -> bool:
    return not (inv.invoice_number is None and inv.total_amount is None and inv.issue_date is None)


def _assemble(doc: Document, group: list[Extraction]) -> Invoice:
    page = min((e.page for e in group), default=1)
    inv = assemble(group, doc.source, doc.sha256, page)
    inv.format = doc.format
    inv.page_frame = next((e.frame for e in group if e.frame is not None and e.page == page), None)
    inv.warnings.extend(doc.warnings)
    inv.invoice_kind = classify_kind(inv)
    return reconcile_amounts(inv)


def needs_fallback(inv: Invoice | None, settings: Settings | None = None) -> bool:
    """A record the deterministic steps left incomplete (a key field missing) or flagged (a check failed)."""
    if inv is None:
        return True
    if any(getattr(inv, f) is None for f in (*KEY_FIELDS, "seller_name", "seller_tax_id")):
        return True
    trial = validate(inv.model_copy(deep=True), settings)
    return any(c.passed is False for c in trial.checks)


def fallback(work: Work, structured: Any, settings: Settings) -> Work:
    """Ask the LLM about records with missing fields or failed checks. Its answers rank below everything read
    from the document: they fill gaps, and where they disagree with a read value they are kept as alternatives
    (with the reason) for the reviewer, never in its place."""
    for i, (group, inv) in enumerate(zip(work.groups, work.invoices, strict=True)):
        if not needs_fallback(inv, settings):
            continue
        pages = sorted({e.page for e in group}) or ([inv.page] if inv else [1])
        known = [n for n in (inv.buyer_name, inv.seller_name, inv.drawer) if n and len(n) <= 4] if inv else []
        try:
            ext = llm_extract(work.document, pages, structured, settings.llm.redact, known)
        except LlmError as exc:
            if inv is not None:
                inv.warnings.append(str(exc))
            log.info("%s: %s", work.document.source, exc)
            continue
        group.append(ext)
        record = _assemble(work.document, group)
        work.invoices[i] = record if _has_invoice_fields(record) else None
    return work


def validate_all(work: Work, settings: Settings) -> Work:
    for inv in work.records:
        flag_low_confidence(validate(inv, settings))  # fields read by OCR under the threshold go to review
    return work


def classify(work: Work, rules: CategoryRules) -> list[Invoice]:
    """Categories for the records; a file that gave none is not an invoice, and says why."""
    records = work.records
    if not records:
        why = "the text layer is garbled" if work.document.text_garbled else "no invoice number, date or amount found"
        raise NotAnInvoice(f"not recognised as an invoice: {why}")
    for inv in records:
        inv.category = classify_category(inv, rules)
    return records


def _no_fallback(work: Work) -> Work:
    return work


def chain_steps(settings: Settings | None = None, limits: Limits = DEFAULT_LIMITS) -> dict[str, Runnable[Any, Any]]:
    """Every step of the chain as a Runnable, by name, configured with ``settings``."""
    settings = settings or Settings.model_construct()
    rules = load_category_rules(str(settings.categories_file) if settings.categories_file else None)
    if settings.llm.enabled:
        structured = make_structured_model(settings.llm)
        fallback_step: Runnable[Work, Work] = Step(partial(fallback, structured=structured, settings=settings), "llm")
    else:
        fallback_step = Step(_no_fallback, name="fallback")
    return {
        "load": Step(partial(load, limits=limits), name="load"),
        "extract": Step(extract, name="extract"),
        "normalise": Step(normalise, name="normalise"),
        "fallback": fallback_step,
        "validate": Step(partial(validate_all, settings=settings), name="validate"),
        "classify": Step(partial(classify, rules=rules), name="classify"),
    }


def build_chain(settings: Settings | None = None, limits: Limits = DEFAULT_LIMITS) -> Runnable[Blob, list[Invoice]]:
    """The per-file chain: a file's bytes in, its invoice records out (or an ``InputError`` saying why not)."""
    s = chain_steps(settings, limits)
    return s["load"] | s["extract"] | s["normalise"] | s["fallback"] | s["validate"] | s["classify"]


_CHAINS: dict[tuple[str, str, str], Runnable[Blob, list[Invoice]]] = {}


def chain_for(settings: Settings | None, limits: Limits) -> Runnable[Blob, list[Invoice]]:
    """One chain per process and configuration (pool workers build theirs once, not once per file)."""
    if settings is None and limits == DEFAULT_LIMITS:
        return document_chain
    settings = settings or Settings.model_construct()
    secret = settings.llm.api_key.get_secret_value() if settings.llm.api_key else ""
    key = (settings.model_dump_json(), secret, limits.model_dump_json())  # the JSON dump masks the key itself
    if key not in _CHAINS:
        _CHAINS[key] = build_chain(settings, limits)
    return _CHAINS[key]


def deduplicate_step(settings: Settings | None = None, seen: SeenIndex | None = None) -> Runnable[Any, list[Invoice]]:
    """The batch-level step: bundles merged, repeats marked (also against earlier runs), red invoices linked."""

    def run(invoices: Iterable[Invoice]) -> list[Invoice]:
        return deduplicate(invoices, settings, seen)

    return Step(run, name="deduplicate")


document_chain: Runnable[Blob, list[Invoice]] = build_chain()
