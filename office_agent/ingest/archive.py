"""Reading ZIP containers (invoice bundles and OFD packages) without trusting them.

Member names are decoded as CP936/GBK when the UTF-8 flag is clear (the tax portal and Windows zip tools write
GBK names); names that climb out with ``..`` or are absolute are refused; sizes are checked against the central
directory *and* while inflating, so a member that lies about its size is cut off at the limit.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, EncryptedFile, UnsafeArchive

_UTF8_FLAG = 0x800
_CONTROL = re.compile(r"[\x00-\x1f]")
_CHUNK = 1 << 16


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zipfile decodes non-UTF-8 names as CP437, which turns GBK into mojibake."""
    name = info.filename
    if info.flag_bits & _UTF8_FLAG:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def safe_member_name(name: str) -> str:
    """A normalised relative name, or :class:`UnsafeArchive` for absolute paths and ``..`` escapes."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise UnsafeArchive(f"member {name!r} has an absolute path")
    norm = posixpath.normpath(cleaned)
    if norm == ".." or norm.startswith("../") or "/../" in f"/{norm}/":
        raise UnsafeArchive(f"member {name!r} points outside the archive")
    if _CONTROL.search(norm):
        raise UnsafeArchive(f"member {name!r} has control characters in its name")
    return norm


@dataclass(frozen=True)
class Member:
    name: str  # decoded and normalised
    info: zipfile.ZipInfo

    @property
    def is_dir(self) -> bool:
        return self.info.is_dir()


class SafeZip:
    """A read-only view of a ZIP archive that enforces :class:`~office_agent.config.Limits`.

    ``budget`` is shared with the caller for nested archives: bytes inflated here count against the same total.
    """

    def __init__(self, data: bytes | zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS, budget: list[int] | None = None):
        import io

        self.limits = limits
        self.budget = budget if budget is not None else [limits.zip_max_total_bytes]
        try:
            self._zip = data if isinstance(data, zipfile.ZipFile) else zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise CorruptFile(f"not a readable ZIP archive ({exc})") from exc
        if len(infos) > limits.zip_max_members:
            raise UnsafeArchive(f"archive has {len(infos)} members, more than the limit of {limits.zip_max_members}")
        declared = sum(i.file_size for i in infos)
        if declared > self.budget[0]:
            raise UnsafeArchive(
                f"archive would unpack to {declared:,} bytes, over the limit of {limits.zip_max_total_bytes:,}"
            )
        self.members: list[Member] = []
        self._by_name: dict[str, Member] = {}
        for info in infos:
            member = Member(safe_member_name(decode_member_name(info)), info)
            self.members.append(member)
            self._by_name.setdefault(member.name.lower(), member)

    def __iter__(self) -> Iterator[Member]:
        return iter(m for m in self.members if not m.is_dir)

    def find(self, name: str) -> Member | None:
        """Case-insensitive lookup (real OFD packages mix ``Doc_0`` and ``DOC_0``)."""
        return self._by_name.get(safe_member_name(name).lower())

    def read(self, member: Member | str) -> bytes:
        if isinstance(member, str):
            found = self.find(member)
            if found is None:
                raise CorruptFile(f"archive has no member {member!r}")
            member = found
        info = member.info
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise UnsafeArchive(f"member {member.name!r} is a symbolic link: not followed")
        if info.flag_bits & 0x1:
            raise EncryptedFile(f"archive member {member.name!r} is encrypted")
        if info.file_size > self.limits.max_file_bytes:
            raise UnsafeArchive(f"member {member.name!r} is {info.file_size:,} bytes, over the per-file limit")
        if info.compress_size and info.file_size / info.compress_size > self.limits.zip_max_ratio:
            raise UnsafeArchive(
                f"member {member.name!r} compresses {info.file_size / info.compress_size:.0f}:1, "
                f"over the limit of {self.limits.zip_max_ratio:.0f}:1 (a ZIP bomb?)"
            )
        cap = min(self.limits.max_file_bytes, self.budget[0], max(info.file_size, 0))
        out = bytearray()
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    if len(out) > cap:
                        raise UnsafeArchive(f"member {member.name!r} inflates past its declared size")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
            raise CorruptFile(f"archive member {member.name!r} cannot be read ({exc})") from exc
        except RuntimeError as exc:  # zipfile raises RuntimeError for encrypted members without a password
            raise EncryptedFile(f"archive member {member.name!r} is encrypted") from exc
        self.budget[0] -= len(out)
        return bytes(out)

    def close(self) -> None:
        self._zip.close()
