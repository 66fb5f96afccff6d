"""The extraction chain as langchain-core Runnables: load → extract → build (assemble, classify, validate).

Each step is usable on its own from a notebook and they compose with ``|``::

    from office_agent.extract.chain import document_chain, blob_from_path
    invoices = document_chain.invoke(blob_from_path("samples/invoices/x.pdf"))
    document_chain.batch(blobs, return_exceptions=True)   # one exception per bad item, the rest go on

Deterministic throughout: no LLM is involved unless one is configured (a later step, opt-in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableConfig

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import NotAnInvoice
from office_agent.extract.assemble import assemble
from office_agent.extract.checks import validate
from office_agent.extract.classify import classify_category, classify_kind
from office_agent.extract.document import extract_document
from office_agent.ingest import read_document, sniff
from office_agent.ingest.sources import Blob
from office_agent.models import Document, Extraction, Invoice


In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class Extracted:
    document: Document
    groups: list[list[Extraction]]


def blob_from_path(path: str | Path) -> Blob:
    data = Path(path).read_bytes()
    return Blob(str(path), data, hashlib.sha256(data).hexdigest(), sniff(data))


def load(blob: Blob, limits: Limits = DEFAULT_LIMITS) -> Document:
    return read_document(blob.source, blob.sha256, blob.data, blob.format, limits)


def extract(doc: Document) -> Extracted:
    return Extracted(doc, extract_document(doc))


def build(extracted: Extracted) -> list[Invoice]:
    doc = extracted.document
    invoices = []
    for group in extracted.groups:
        page = min((e.page for e in group), default=1)
        inv = assemble(group, doc.source, doc.sha256, page)
        if inv.invoice_number is None and inv.total_amount is None and inv.issue_date is None:
            continue  # a page with no invoice fields at all (a cover page, a blank page)
        inv.format = doc.format
        inv.warnings.extend(doc.warnings)
        inv.invoice_kind = classify_kind(inv)
        inv.category = classify_category(inv)
        invoices.append(validate(inv))
    if not invoices:
        why = "the text layer is garbled" if doc.text_garbled else "no invoice number, date or amount found"
        raise NotAnInvoice(f"not recognised as an invoice: {why}")
    return invoices


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


extract_step: Runnable[Document, Extracted] = Step(extract, name="extract")
build_step: Runnable[Extracted, list[Invoice]] = Step(build, name="build")


def load_step_for(limits: Limits) -> Runnable[Blob, Document]:
    return Step(partial(load, limits=limits), name="load")


def document_chain_for(limits: Limits) -> Runnable[Blob, list[Invoice]]:
    """The per-file chain under the given limits."""
    return load_step_for(limits) | extract_step | build_step


load_step = load_step_for(DEFAULT_LIMITS)
document_chain: Runnable[Blob, list[Invoice]] = document_chain_for(DEFAULT_LIMITS)
