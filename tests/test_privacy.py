"""Nothing leaves the machine and nothing from the documents reaches the logs (issue #8 "Privacy and network")."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from factories import einvoice

from office_agent.batch import run_batch
from office_agent.generate.ledger import write_ledger


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"network access attempted: {args!r}")


@pytest.fixture()
def sockets_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)


def inputs(tmp_path: Path, realdata: Path | None) -> list[Path]:
    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    paths = [tmp_path / "a.xml"]
    if realdata is not None:
        paths += [realdata / "cn" / "pdf", realdata / "cn" / "ofd"]
    return paths


@pytest.mark.parametrize("workers", [0, 2])
def test_whole_pipeline_runs_with_sockets_blocked(tmp_path: Path, sockets_blocked: None, workers: int) -> None:
    from conftest import REALDATA

    realdata = REALDATA if REALDATA.is_dir() else None
    result = run_batch(inputs(tmp_path, realdata), workers=workers)  # pool workers inherit the block (fork)
    assert not result.failed, [(f.source, f.reason) for f in result.failed]
    assert len(result.invoices) >= (11 if realdata else 1)
    write_ledger(result, tmp_path / "out")
    assert (tmp_path / "out" / "ledger.xlsx").stat().st_size > 0


def test_info_logs_hold_no_document_content(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from conftest import REALDATA

    realdata = REALDATA if REALDATA.is_dir() else None
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    with caplog.at_level(logging.INFO):
        result = run_batch([*inputs(tmp_path, realdata), tmp_path / "broken.pdf"], workers=0)
    secrets: set[str] = set()
    for inv in result.invoices:
        for value in (inv.invoice_number, inv.buyer_name, inv.seller_name, inv.buyer_tax_id, inv.seller_tax_id):
            if value:
                secrets.add(value)
        if inv.total_amount is not None:
            secrets.add(str(inv.total_amount))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    leaked = sorted(s for s in secrets if s in logged)
    assert not leaked, leaked
