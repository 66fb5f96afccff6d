"""A guide from a web address, opt-in: the only network use in the project, and only because the user gave a URL.

:func:`fetch_guide` downloads one ``http(s)://`` address with the standard library (no proxy settings are read
from elsewhere than the environment urllib already honours), follows at most :data:`MAX_REDIRECTS` redirects to
``http(s)`` only, stops at ``max_bytes`` and at an overall deadline, and saves a dated copy
(``<host>_<path>_<YYYY-MM-DD>.<ext>``) in the folder given. The copy is the bytes as served, with one exception:
a page whose charset only the ``Content-Type`` header names (``text/html; charset=GBK``) gets that charset written
into a ``<meta>`` line at its top, so the copy reads the same later, without the header.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO

from office_agent import __version__
from office_agent.errors import BadArguments, InputError, TooLarge

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=|<\?xml[^>]+encoding\s*=", re.IGNORECASE)
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/markdown": ".md",
    "text/plain": ".txt",
}


class FetchFailed(InputError):
    """The address gave no guide: an HTTP error, a timeout, a refused redirect, no connection."""


def is_url(text: str) -> bool:
    return bool(re.match(r"(?i)https?://", text))


@dataclass(frozen=True)
class Fetched:
    url: str  # as given
    final_url: str  # after redirects
    retrieved: dt.datetime  # UTC
    path: Path  # the dated copy
    content_type: str
    charset: str | None


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchFailed(f"redirected to {newurl!r}: only http and https are followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def copy_name(url: str, day: dt.date, ext: str) -> str:
    """``www.example.gov.cn_guide_passport_2026-12-04.html``: the address made into a file name, dated."""
    parts = urllib.parse.urlsplit(url)
    path = re.sub(r"\.(?:s?html?|jsp|aspx?|php)$", "", parts.path.strip("/"), flags=re.IGNORECASE)
    slug = re.sub(r"[^\w.-]+", "_", f"{parts.hostname or 'page'}_{path}").strip("_")[:120]
    return f"{slug}_{day.isoformat()}{ext}"


def _body(response: IO[bytes], url: str, max_bytes: int, deadline: float, timeout_s: float) -> bytes:
    out = bytearray()
    while chunk := response.read(1 << 16):
        out += chunk
        if len(out) > max_bytes:
            raise TooLarge(f"{url}: the response is over {max_bytes // 2**20} MiB; download stopped at the limit")
        if time.monotonic() > deadline:
            raise FetchFailed(f"{url}: timed out after {timeout_s:g} s (still downloading)")
    return bytes(out)


def fetch_guide(
    url: str,
    folder: Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: dt.datetime | None = None,
) -> Fetched:
    """Download ``url`` into a dated copy in ``folder``. Raises :class:`FetchFailed` / ``TooLarge`` with a reason."""
    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https") or not urllib.parse.urlsplit(url).netloc:
        raise BadArguments(f"not a web address: {url!r} (give an http:// or https:// address)")
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={"User-Agent": f"office-agent/{__version__}"})
    deadline = time.monotonic() + timeout_s
    try:
        with opener.open(request, timeout=timeout_s) as response:
            data = _body(response, url, max_bytes, deadline, timeout_s)
            final_url = response.geturl()
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise FetchFailed(f"{url}: timed out after {timeout_s:g} s") from exc
        raise FetchFailed(f"{url}: cannot be fetched ({reason})") from exc
    except TimeoutError as exc:
        raise FetchFailed(f"{url}: timed out after {timeout_s:g} s") from exc
    except OSError as exc:  # connection reset, bad status line, …
        raise FetchFailed(f"{url}: cannot be fetched ({exc})") from exc
    retrieved = now or dt.datetime.now(dt.UTC)
    if content_type == "text/html" and charset and not _META_CHARSET.search(data[:4096]):
        data = f'<meta charset="{charset}">\n'.encode("ascii", "replace") + data
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / copy_name(url, retrieved.date(), _EXTENSIONS.get(content_type, ".html"))
    path.write_bytes(data)
    return Fetched(url, final_url, retrieved, path, content_type, charset)


__all__ = ["FetchFailed", "Fetched", "copy_name", "fetch_guide", "is_url"]
