"""The chain is made of real Runnables: each step runs alone, they compose with |, and a batch returns one
exception per bad item while the others go through."""

from __future__ import annotations

import hashlib

from factories import einvoice
from langchain_core.runnables import Runnable, RunnableLambda

from office_agent.errors import EmptyFile, NotAnInvoice
from office_agent.extract.chain import Work, build_chain, chain_steps, deduplicate_step
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob
from office_agent.models import Document, Invoice, Source


def blob(name: str, data: bytes) -> Blob:
    return Blob(name, data, hashlib.sha256(data).hexdigest(), sniff(data))


def test_each_step_runs_alone_and_in_order() -> None:
    steps = chain_steps()
    assert list(steps) == ["load", "extract", "normalise", "fallback", "validate", "classify"]
    assert all(isinstance(s, Runnable) for s in steps.values())
    doc = steps["load"].invoke(blob("a.xml", einvoice("25000000000000000001", "106.00")))
    assert isinstance(doc, Document) and doc.embedded
    work = steps["extract"].invoke(doc)
    assert isinstance(work, Work) and work.groups[0][0].get("invoice_number") == "25000000000000000001"
    work = steps["normalise"].invoke(work)
    assert work.records[0].provenance["total_amount"].source == Source.XML
    work = steps["validate"].invoke(steps["fallback"].invoke(work))
    assert {c.name for c in work.records[0].checks} >= {"amount_plus_tax", "qr_agrees"}
    [inv] = steps["classify"].invoke(work)
    assert inv.category == "餐饮"


def test_steps_compose_with_the_pipe() -> None:
    s = chain_steps()
    partial = s["load"] | s["extract"] | s["normalise"]
    work = partial.invoke(blob("a.xml", einvoice("25000000000000000002", "53.00")))
    assert str(work.records[0].total_amount) == "53.00"


def test_the_chain_pipes_into_any_runnable() -> None:
    counted = build_chain() | RunnableLambda(len)  # a LangChain Runnable after our steps
    assert counted.invoke(blob("a.xml", einvoice("25000000000000000005", "53.00"))) == 1
    s = chain_steps()
    assert (s["load"] | s["extract"]).get_name() == "load | extract"


def test_batch_returns_an_exception_per_bad_item() -> None:
    chain = build_chain()
    out = chain.batch(
        [
            blob("good.xml", einvoice("25000000000000000003", "106.00")),
            blob("empty.pdf", b""),
            blob("letter.xml", b"<letter>hello</letter>"),
        ],
        return_exceptions=True,
    )
    assert isinstance(out[0], list) and isinstance(out[0][0], Invoice)
    assert isinstance(out[1], EmptyFile)
    assert isinstance(out[2], NotAnInvoice)


def test_deduplicate_is_the_batch_level_step() -> None:
    chain = build_chain()
    data = einvoice("25000000000000000004", "106.00")
    records = [inv for b in (blob("a.xml", data), blob("b.xml", data)) for inv in chain.invoke(b)]
    merged = deduplicate_step().invoke(records)
    assert merged[1].duplicate_of == {"source": "a.xml", "sha256": records[0].sha256}
