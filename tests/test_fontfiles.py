"""The one CJK font lookup (office_agent.fontfiles): the caller's order decides, and a missing font says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from office_agent.errors import OfficeAgentError
from office_agent.fontfiles import GBSN, MICROHEI, FontMissing, find_font, require_font


def test_the_first_existing_file_of_the_callers_order_wins(tmp_path: Path) -> None:
    first, second, absent = tmp_path / "a.ttf", tmp_path / "b.ttc", tmp_path / "none.ttf"
    first.write_bytes(b"x")
    second.write_bytes(b"x")
    assert find_font([str(absent), str(second), str(first)]) == str(second)
    assert require_font([str(absent), str(first)], "a test") == str(first)
    assert find_font([str(absent), str(tmp_path)]) is None  # a folder is not a font file


def test_no_font_names_what_was_looked_for_and_the_package_to_install(tmp_path: Path) -> None:
    absent = str(tmp_path / "gone.ttf")
    with pytest.raises(FontMissing) as caught:
        require_font([absent, absent], "a test")
    message = str(caught.value)
    assert message.startswith("no CJK font for a test") and absent in message
    assert message.endswith("install Debian's fonts-wqy-microhei, e.g. apt-get install fonts-wqy-microhei")
    assert isinstance(caught.value, OfficeAgentError) and isinstance(caught.value, RuntimeError)


def test_known_paths_map_to_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("office_agent.fontfiles.find_font", lambda preference: None)
    with pytest.raises(FontMissing, match="install Debian's fonts-arphic-gbsn00lp or fonts-wqy-microhei"):
        require_font([GBSN, MICROHEI], "a test")
