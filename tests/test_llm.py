"""The opt-in LLM fallback against a real OpenAI-compatible HTTP server on 127.0.0.1 (real client, real HTTP):
a good answer fills only the missing fields; malformed JSON, a timeout and a refusal cost only the fallback.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fakes_llm import FakeOllama, FakeOpenAI
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from office_agent.batch import run_batch
from office_agent.extract.llm import Redactor
from office_agent.models import Source
from office_agent.settings import LlmSettings, Settings


def weak_invoice(folder: Path) -> Path:
    """A PDF whose text gives the number, the seller's name and the total, but no date and no seller tax id."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = folder / "weak.pdf"
    c = canvas.Canvas(str(path), pagesize=(600, 400), invariant=True)
    c.setFont("STSong-Light", 10)
    c.drawString(420, 370, "发票号码：25317000002228021821")
    c.drawString(40, 300, "销售方 名称：龙腾半导体股份有限公司 91610132688983884K")
    c.drawString(300, 100, "价税合计（小写）¥35559.69")
    c.drawString(40, 60, "开票人：王陆")
    c.showPage()
    c.save()
    return path


def settings(url: str, **kw: Any) -> Settings:
    return Settings(llm=LlmSettings(model="qwen-test", base_url=url, api_key="sk-test", timeout_s=1.0, **kw))


def test_llm_fills_only_missing_fields_and_is_marked(openai_server: str, tmp_path: Path) -> None:
    weak_invoice(tmp_path)
    FakeOpenAI.mode = "ok"
    FakeOpenAI.answer = {
        "invoice_number": "99999999999999999999",  # wrong, but the document's own value must win
        "issue_date": "2025-10-20",
        "seller_name": "Example Trading Co.",
        "seller_tax_id": "<TAXID_1>",  # a placeholder: restored from the redaction map
        "total_amount": "35559.69",
    }
    result = run_batch([tmp_path], workers=1, settings=settings(openai_server))
    [inv] = result.invoices
    assert str(inv.issue_date) == "2025-10-20" and inv.provenance["issue_date"].source == Source.LLM
    assert inv.seller_tax_id == "91610132688983884K"
    assert inv.provenance["seller_tax_id"].source == Source.LLM
    # the number printed in the text is not overridden by the model's answer
    assert inv.invoice_number != "99999999999999999999"
    # what was sent: the tax id was masked before it left the machine
    sent = json.dumps(FakeOpenAI.requests, ensure_ascii=False)
    assert "91610132688983884K" not in sent and "<TAXID_1>" in sent
    # the LLM's values are judged by the same checks
    assert any(c.name == "date_sane" and c.passed for c in inv.checks)


@pytest.mark.parametrize("mode", ["malformed", "slow", "refuse"])
def test_llm_failures_cost_only_the_fallback(openai_server: str, tmp_path: Path, mode: str) -> None:
    weak_invoice(tmp_path)
    FakeOpenAI.mode = mode
    start = time.monotonic()
    result = run_batch([tmp_path], workers=1, settings=settings(openai_server))
    assert time.monotonic() - start < 10
    [inv] = result.invoices
    assert inv.issue_date is None  # nothing invented
    assert any("LLM fallback failed" in w for w in inv.warnings), inv.warnings
    assert all(p.source != Source.LLM for p in inv.provenance.values())


def test_llm_is_never_called_when_nothing_is_missing(openai_server: str, tmp_path: Path) -> None:
    from factories import einvoice

    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    FakeOpenAI.mode = "ok"
    run_batch([tmp_path], workers=1, settings=settings(openai_server))
    assert FakeOpenAI.requests == []


def test_llm_is_off_by_default() -> None:
    assert not Settings().llm.enabled


def test_redactor_masks_ids_and_names_and_restores_them() -> None:
    r = Redactor()
    text = "发票号码：25317000002228021821 纳税人识别号：91610132688983884K 开票人：王陆 个人 税号 410305123456789"
    masked = r.mask(text, ["个人"])
    assert "91610132688983884K" not in masked and "王陆" not in masked and "410305123456789" not in masked
    assert "25317000002228021821" in masked  # an invoice number is not a tax id
    assert masked.count("<TAXID_") == 2 and r.unmask("<TAXID_1>") == "91610132688983884K"
    assert r.unmask(masked) == text


def test_local_ollama_provider(tmp_path: Path) -> None:
    FakeOllama.requests = []
    FakeOllama.answer = {"issue_date": "2025-10-20", "seller_tax_id": "<TAXID_1>"}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        weak_invoice(tmp_path)
        s = Settings(
            llm=LlmSettings(provider="ollama", model="qwen2.5", base_url=f"http://127.0.0.1:{httpd.server_address[1]}")
        )
        [inv] = run_batch([tmp_path], workers=0, settings=s).invoices
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert FakeOllama.requests and FakeOllama.requests[0]["model"] == "qwen2.5"
    assert str(inv.issue_date) == "2025-10-20" and inv.provenance["issue_date"].source == Source.LLM
    assert inv.seller_tax_id == "91610132688983884K"


def test_llm_is_asked_about_a_flagged_record_but_never_overrides_it(openai_server: str, tmp_path: Path) -> None:
    import random

    from office_agent.synth.model import make_invoice
    from office_agent.synth.pdf import render_pdf

    inv = make_invoice(random.Random(3), "digital_general", toll=False)
    wrong = "壹圆整"  # the amount in words disagrees with the total: a failed check, every key field present

    class Misprinted(type(inv)):  # type: ignore[misc]
        @property
        def words(self) -> str:
            return wrong

    inv.__class__ = Misprinted
    (tmp_path / "a.pdf").write_bytes(render_pdf(inv, random.Random(3)))
    FakeOpenAI.answer = {"total_amount_in_words": "伍圆整", "invoice_number": inv.number}
    [record] = run_batch([tmp_path], workers=0, settings=settings(openai_server)).invoices
    assert FakeOpenAI.requests  # asked, because a check failed
    assert record.total_amount_in_words == wrong and record.provenance["total_amount_in_words"].source == Source.TEXT
    [alt] = record.alternatives["total_amount_in_words"]
    assert (alt.value, alt.source) == ("伍圆整", Source.LLM) and "outranks" in alt.reason
