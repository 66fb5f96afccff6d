"""Fuzzing every parser entry point with mutated real-shaped inputs.

In CI a small budget runs (``FUZZ_EXAMPLES``, default 40 per format); for minutes of fuzzing outside CI:

    FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/test_fuzz.py -p no:cacheprovider

Seeds come from the project's own generators (the hostile corpus' valid files and samples/invoices when present).
A failure is an *internal error* (an exception that is not the project's own ``InputError``): each one found
becomes a regression test below, named after the bug.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hostile.generate import einvoice_xml, invoice_pdf, ofd_package, ofd_xml, pdf_unloadable_page, zip_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from office_agent.batch import process_blob
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob, expand
from office_agent.models import FileResult, Status

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "invoices"


def seeds() -> dict[str, bytes]:
    out = {
        "pdf": invoice_pdf(1),
        "ofd": ofd_package(ofd_xml(2)),
        "xml": einvoice_xml(3),
        "zip": zip_of({"a.xml": einvoice_xml(4), "b.pdf": invoice_pdf(5)}),
    }
    for path in sorted(SAMPLES.glob("*"))[:8]:
        if path.suffix.lower() in (".pdf", ".ofd", ".xml", ".zip") and path.stat().st_size < 2_000_000:
            out[f"sample:{path.name}"] = path.read_bytes()
    return out


SEEDS = seeds()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 64))]
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 256))]
    return name, bytes(data)


def run_one(data: bytes, name: str) -> list[FileResult]:
    out = []
    for entry in expand(f"fuzz/{name}", data):
        if isinstance(entry, Blob):
            out.append(process_blob(entry))
        else:
            out.append(entry)
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(mutated())
def test_mutated_inputs_give_a_result_or_a_reason(case: tuple[str, bytes]) -> None:
    name, data = case
    for result in run_one(data, name):
        assert result.status in set(Status)
        if result.status in (Status.FAILED, Status.SKIPPED):
            assert result.reason, result
            assert not result.reason.startswith("internal error"), (name, result.reason)


@pytest.mark.parametrize("kind", ["pdf", "ofd", "xml", "zip"])
def test_every_seed_is_read(kind: str) -> None:
    [result] = [r for r in run_one(SEEDS[kind], f"seed.{kind}") if r.source.endswith(("a.xml", f"seed.{kind}"))]
    assert result.status in (Status.OK, Status.PARTIAL), result.reason


def blob(data: bytes) -> Blob:
    return Blob("regression", data, hashlib.sha256(data).hexdigest(), sniff(data))


def test_unloadable_pdf_page_costs_that_page_only() -> None:
    """Regression (found by fuzzing): PDFium's "Failed to load page" escaped as an internal error."""
    from office_agent.ingest.pdf import read_pdf

    data = pdf_unloadable_page()
    doc = read_pdf("x.pdf", "0", data)
    assert [p.width for p in doc.pages] == [0, 200]
    assert doc.warnings == ["page 1 cannot be read (Failed to load page.)"]
    result = process_blob(blob(data))
    assert result.status == Status.FAILED and not (result.reason or "").startswith("internal error")
