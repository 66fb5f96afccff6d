"""Organize: every input file COPIED (never moved, never altered) into a tidy tree, named from its invoice.

- One folder level by month (``2025-03``), category (``餐饮``) or person (the sub-folder below an input folder),
  or none; names from a template of output-contract fields, ``{date}_{seller}_{total}_{number}`` by default
  (:data:`FIELDS` lists them), sanitised for every OS (no ``/\\:*?"<>|``, control characters, trailing dots or
  spaces, Windows device names; at most :data:`MAX_NAME_BYTES` bytes of UTF-8).
- A file on disk is the unit: a ZIP bundle is copied whole, named after its invoice; a bundle's separate files
  (the portal's PDF + OFD + XML) get the same name with their own extensions, side by side. A file that carries
  several invoices is named after the first, ``_等N张`` added.
- A file whose invoices are all duplicates goes to ``重复/``, one that could not be read to ``无法识别/`` under its
  own name, a trip table (行程单) beside the invoice it supports; two different files that would get one name are
  told apart by ``_2``, ``_3``; a file byte-identical to one already copied is not copied twice (it is listed as
  such). Every input is accounted for in ``organize.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Literal

from office_agent.errors import BadArguments
from office_agent.extract.supporting import is_supporting
from office_agent.generate.ledger import atomic_write
from office_agent.generate.ledger_view import group_of
from office_agent.models import BatchResult, FileResult, Invoice, Status

By = Literal["month", "category", "person", "none"]
BYS: tuple[By, ...] = ("month", "category", "person", "none")
DEFAULT_NAME = "{date}_{seller}_{total}_{number}"
MAX_NAME_BYTES = 180  # of 255 most file systems allow: room for "_2" and the extension
FIELDS = ("date", "month", "year", "seller", "buyer", "total", "amount", "tax", "number", "code", "category",
          "kind", "person", "title", "seller_tax_id", "buyer_tax_id")  # fmt: skip
DUPLICATES, UNREADABLE = "重复", "无法识别"
_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_DEVICES = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)

Status_ = Literal["copied", "duplicate", "unreadable", "identical", "supporting"]


@dataclass(frozen=True)
class Placed:
    """Where one input file went (``dest`` relative to the output folder) and why."""

    source: str
    status: Status_
    dest: str | None
    reason: str = ""
    invoice_numbers: tuple[str, ...] = ()


@dataclass
class OrganizeResult:
    out: Path
    files: list[Placed] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        return out


def sanitize(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """A file or folder name that every OS accepts and that shows the same everywhere."""
    text = unicodedata.normalize("NFC", name)
    text = _BAD.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = re.sub(r"_{2,}", "_", text)
    if not text or _DEVICES.match(text):
        text = f"_{text}"
    data = text.encode("utf-8")
    if len(data) > limit:
        text = data[:limit].decode("utf-8", errors="ignore").rstrip(" .")
    return text


def check_template(template: str) -> None:
    """:class:`BadArguments` for a template with an unknown field or bad braces."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise BadArguments(f"name template {template!r}: {exc}") from exc
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise BadArguments(f"name template {template!r}: unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
    if not names:
        raise BadArguments(f"name template {template!r} has no field: every file would get the same name")


def template_values(inv: Invoice, person: str | None) -> dict[str, str]:
    d = inv.issue_date

    def money(v: object) -> str:
        return f"{v:.2f}" if v is not None else ""

    return {
        "date": d.strftime("%Y%m%d") if d else "无日期", "month": d.strftime("%Y-%m") if d else "无日期",
        "year": str(d.year) if d else "无日期", "seller": inv.seller_name or "", "buyer": inv.buyer_name or "",
        "total": money(inv.total_amount), "amount": money(inv.amount_without_tax), "tax": money(inv.tax_amount),
        "number": inv.invoice_number or "", "code": inv.invoice_code or "", "category": inv.category or "未分类",
        "kind": inv.invoice_kind.value, "person": person or "", "title": inv.title or "",
        "seller_tax_id": inv.seller_tax_id or "", "buyer_tax_id": inv.buyer_tax_id or "",
    }  # fmt: skip


def render_name(template: str, values: Mapping[str, str]) -> str:
    raw = template.format_map({k: sanitize(v, 60) if v else "" for k, v in values.items()})
    raw = re.sub(r"_{2,}", "_", raw).strip("_ ")
    return sanitize(raw) or "发票"


def _outer(source: str) -> str:
    return source.split("!", 1)[0]


@dataclass
class _Plan:
    invoices: list[Invoice] = field(default_factory=list)
    failure: FileResult | None = None


def _plans(result: BatchResult) -> dict[str, _Plan]:
    """Each file on disk → the invoices it carries (or its failure)."""
    plans: dict[str, _Plan] = {}
    for f in result.files:
        plan = plans.setdefault(_outer(f.source), _Plan())
        if f.status in (Status.FAILED, Status.SKIPPED) and plan.failure is None:
            plan.failure = f
    for inv in result.invoices:
        for src in dict.fromkeys([inv.source, *inv.sources]):
            plan = plans.setdefault(_outer(src), _Plan())
            if inv not in plan.invoices:
                plan.invoices.append(inv)
    return plans


def _folder(inv: Invoice, by: By, person: str | None) -> str:
    if by == "month":
        return inv.issue_date.strftime("%Y-%m") if inv.issue_date else "无日期"
    if by == "category":
        return sanitize(inv.category or "未分类")
    if by == "person":
        return sanitize(person) if person else "未分组"
    return ""


def organize(
    result: BatchResult, out: Path, *, by: By = "month", name: str = DEFAULT_NAME, inputs: tuple[Path, ...] = ()
) -> OrganizeResult:
    """Copy every file of ``result`` into ``out`` (see the module's docstring); writes ``out/organize.json``.

    ``inputs``: the folders that were read (the person is the sub-folder right below one of them).
    """
    if by not in BYS:
        raise BadArguments(f"unknown grouping {by!r}; use one of {', '.join(BYS)}")
    check_template(name)
    out.mkdir(parents=True, exist_ok=True)
    roots = [PurePath(p) for p in inputs] or _common_root(result)
    done = OrganizeResult(out)
    taken: dict[str, str] = {}  # dest (relative, lower-cased) → sha256 of what was copied there
    copied: dict[str, str] = {}  # sha256 → dest
    by_invoice: dict[tuple[str, str], str] = {}  # (source, sha256) of an invoice → its dest stem
    plans = _plans(result)
    order = sorted(plans, key=lambda s: (_is_support(plans[s]), s))  # trip tables after the invoices they support
    for source in order:
        done.files.append(_one(source, plans[source], out, by, name, roots, taken, copied, by_invoice))
    _manifest(done)
    return done


def _common_root(result: BatchResult) -> list[PurePath]:
    parents = [os.path.dirname(_outer(f.source)) for f in result.files]
    try:
        return [PurePath(os.path.commonpath(parents))] if parents and all(parents) else [PurePath()]
    except ValueError:  # absolute and relative paths mixed
        return []


def _is_support(plan: _Plan) -> bool:
    return bool(plan.invoices) and all(is_supporting(i) for i in plan.invoices)


def _one(source: str, plan: _Plan, out: Path, by: By, template: str, roots: list[PurePath],
         taken: dict[str, str], copied: dict[str, str], by_invoice: dict[tuple[str, str], str]) -> Placed:  # fmt: skip
    path = Path(source)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return Placed(source, "unreadable", None, f"cannot read it ({exc.strerror or exc}): not copied")
    ext = "".join(path.suffixes[-1:]).lower()
    live = [i for i in plan.invoices if i.status != Status.FAILED]
    numbers = tuple(i.invoice_number for i in live if i.invoice_number)
    if digest in copied:
        return Placed(source, "identical", copied[digest], "byte-identical to a file already copied", numbers)
    if not live:
        reason = (plan.failure.reason if plan.failure else None) or "no invoice could be read from it"
        dest = _claim(PurePath(UNREADABLE), sanitize(path.stem), ext, taken, digest)
        return _copy(path, out, dest, "unreadable", reason, numbers, copied, digest)
    first = next((i for i in live if not i.duplicate_of and not is_supporting(i)), live[0])
    person = group_of(first.source, roots)
    stem = render_name(template, template_values(first, person))
    if len(live) > 1 and not all(i.sha256 == first.sha256 for i in live):
        distinct = {i.invoice_number or i.sha256 for i in live}
        stem = sanitize(f"{stem}_等{len(distinct)}张") if len(distinct) > 1 else stem
    folder = PurePath(_folder(first, by, person))
    status: Status_ = "copied"
    reason = ""
    if all(i.duplicate_of for i in live):
        status, folder = "duplicate", PurePath(DUPLICATES) / folder
        reason = f"duplicate of {live[0].duplicate_of.get('source', '?') if live[0].duplicate_of else '?'}"
    elif is_supporting(first):
        host = by_invoice.get(((first.supports or {}).get("source", ""), (first.supports or {}).get("sha256", "")))
        status, reason = "supporting", "supporting document (trip table), never counted"
        if host is not None:
            folder, stem = PurePath(host).parent, f"{PurePath(host).name}_行程单"
    key = (first.source, first.sha256)
    dest = _claim(folder, stem, ext, taken, digest, bundle=by_invoice.get(key))
    for inv in live:
        by_invoice.setdefault((inv.source, inv.sha256), str(PurePath(dest).with_suffix("")))
    return _copy(path, out, dest, status, reason, numbers, copied, digest)


def _claim(folder: PurePath, stem: str, ext: str, taken: dict[str, str], digest: str, bundle: str | None = None
           ) -> str:  # fmt: skip
    """A free destination: the bundle's own stem when another file of the bundle got one, else ``stem``, then
    ``stem_2``, ``stem_3`` … (compared without case: Windows and macOS would mix them up)."""
    base = [str(PurePath(bundle))] if bundle else []
    base += [str(folder / stem)] + [str(folder / f"{stem}_{n}") for n in range(2, 10_000)]
    for candidate in base:
        dest = f"{candidate}{ext}"
        if dest.lower() not in taken:
            taken[dest.lower()] = digest
            return dest
    raise BadArguments(f"no free name for {stem} in {folder}")


def _copy(path: Path, out: Path, dest: str, status: Status_, reason: str, numbers: tuple[str, ...],
          copied: dict[str, str], digest: str) -> Placed:  # fmt: skip
    target = out / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copy2(path, tmp)  # a copy with the original's times; the original is only read
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return Placed(str(path), "unreadable", None, f"cannot copy it ({exc.strerror or exc})", numbers)
    copied[digest] = dest
    return Placed(str(path), status, dest, reason, numbers)


def _manifest(done: OrganizeResult) -> None:
    data = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": done.counts(),
        "files": [
            {
                "source": f.source,
                "status": f.status,
                "dest": f.dest,
                "reason": f.reason,
                "invoice_numbers": list(f.invoice_numbers),
            }
            for f in done.files
        ],
    }
    with atomic_write(done.out / "organize.json") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
