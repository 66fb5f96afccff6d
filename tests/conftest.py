"""Shared fixtures. Real documents live in ../shared/realdata (beside the clone), never in this repository."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from office_agent.fontfiles import FontMissing

# the guide index of `checklist` / `ask` goes to a folder of the test run, never to ~/.cache
os.environ.setdefault("OFFICE_AGENT_GUIDES_CACHE", tempfile.mkdtemp(prefix="office-agent-guides-"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
SAMPLES = ROOT / "samples" / "invoices"


def _skip_without_fonts(exc: FontMissing) -> None:
    """A test that draws CJK text on a machine without the Debian fonts skips, saying what to install.

    CI sets OFFICE_AGENT_REQUIRE_FONTS=1 (its ``.ci/run`` installs the fonts), so there a missing font fails."""
    if os.environ.get("OFFICE_AGENT_REQUIRE_FONTS"):
        raise exc
    pytest.skip(f"{exc} (set OFFICE_AGENT_REQUIRE_FONTS=1 to fail instead)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    except FontMissing as exc:
        _skip_without_fonts(exc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    except FontMissing as exc:
        _skip_without_fonts(exc)


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture(scope="session")
def samples() -> Path:
    if not any(SAMPLES.glob("*")):
        pytest.skip("samples/invoices is empty")
    return SAMPLES


@pytest.fixture()
def openai_server() -> Iterator[str]:
    """A fake OpenAI-compatible endpoint on 127.0.0.1 (see fakes_llm.py); yields its base URL."""
    import threading
    from http.server import ThreadingHTTPServer

    from fakes_llm import FakeOpenAI

    FakeOpenAI.requests = []
    FakeOpenAI.mode = "ok"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
