"""Shared fixtures. Real documents live in ../shared/realdata (beside the clone), never in this repository."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
SAMPLES = ROOT / "samples" / "invoices"


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
