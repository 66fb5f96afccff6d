"""A guide from a web address: downloaded only because it was given, tested against a server on 127.0.0.1 only
(redirects, a 404, GBK named by the header or by <meta>, a timeout, a response over the limit)."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from office_agent.errors import ExitCode, TooLarge
from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy.ingest.fetch import FetchFailed, copy_name, fetch_guide

GUIDE = "<html><body><h1>居住证办理指南</h1><h2>申请材料</h2><ol><li>居民身份证原件</li><li>近期一寸照片2张</li></ol>"


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        routes = {
            "/guide.html": lambda: self._send(200, GUIDE.encode()),
            "/gbk-header.html": lambda: self._send(200, GUIDE.encode("gbk"), "text/html; charset=GBK"),
            "/gbk-meta.html": lambda: self._send(
                200, ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + GUIDE).encode("gbk"),
                "text/html",
            ),
            "/moved": lambda: self._send(302, b"", Location="/guide.html"),
            "/loop": lambda: self._send(302, b"", Location="/loop"),
            "/to-file": lambda: self._send(302, b"", Location="file:///etc/passwd"),
            "/slow": self._slow,
            "/huge": self._huge,
        }
        route = routes.get(self.path)
        if route is None:
            self._send(404, b"<h1>not found</h1>")
        else:
            route()

    def _slow(self) -> None:
        time.sleep(5)
        self._send(200, GUIDE.encode())

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * (1 << 16) + b"</p>")
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_page_is_saved_dated_and_read(server: str, tmp_path: Path) -> None:
    now = dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.UTC)
    fetched = fetch_guide(f"{server}/moved", tmp_path, now=now)
    assert fetched.final_url == f"{server}/guide.html"
    assert fetched.path.name == "127.0.0.1_moved_2026-03-05.html" and fetched.path.parent == tmp_path
    assert "居民身份证原件" in read_policy_file(fetched.path).text


@pytest.mark.parametrize("page", ["gbk-header.html", "gbk-meta.html"])
def test_gbk_page_reads_from_the_header_or_the_meta_charset(server: str, tmp_path: Path, page: str) -> None:
    fetched = fetch_guide(f"{server}/{page}", tmp_path)
    assert "居民身份证原件" in read_policy_file(fetched.path).text


def test_404_redirect_loop_and_non_http_redirect_are_refused(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch_guide(f"{server}/missing", tmp_path)
    with pytest.raises(FetchFailed, match="HTTP 302"):  # urllib gives up after max_redirections
        fetch_guide(f"{server}/loop", tmp_path)
    with pytest.raises(FetchFailed, match=r"file:///etc/passwd. is not allowed|only http and https"):
        fetch_guide(f"{server}/to-file", tmp_path)
    assert not list(tmp_path.iterdir())


def test_timeout_and_huge_response_end_with_a_reason(server: str, tmp_path: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(FetchFailed, match="timed out after 1 s"):
        fetch_guide(f"{server}/slow", tmp_path, timeout_s=1)
    assert time.perf_counter() - started < 4
    with pytest.raises(TooLarge, match="over 1 MiB; download stopped at the limit"):
        fetch_guide(f"{server}/huge", tmp_path, max_bytes=1 << 20)


def test_copy_name_is_a_safe_file_name() -> None:
    name = copy_name("https://zwfw.example.gov.cn/a/b/guide.jsp?id=1&x=../..", dt.date(2026, 1, 2), ".html")
    assert name == "zwfw.example.gov.cn_a_b_guide_2026-01-02.html"


def test_checklist_of_a_url_cites_it_and_keeps_the_copy(server: str, tmp_path: Path) -> None:
    from office_agent.cli import app

    out = tmp_path / "out" / "checklist.json"
    url = f"{server}/guide.html"
    result = CliRunner().invoke(app, ["checklist", url, f"{server}/missing", "--question", "居住证", "-f", "json",
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == ExitCode.PARTIAL, result.output
    assert f"{server}/missing: failed — {server}/missing: the server answered HTTP 404" in result.output
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    cited = {c["file"] for p in data["procedures"] for i in p["items"] for c in i["citations"]}
    assert cited == {url}
    line = next(f for f in data["files"] if f["source"] == url)
    assert "retrieved" in line["reason"] and "copy saved as" in line["reason"]
    copies = list((tmp_path / "out").glob("127.0.0.1_guide_*.html"))
    assert len(copies) == 1
