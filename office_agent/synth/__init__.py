"""Synthetic invoices with ground truth: the committed samples, the benchmark corpora and test inputs.

    python -m office_agent.synth samples          # rewrite samples/invoices and samples/truth
    python -m office_agent.synth OUT --count 1000 --formats pdf,ofd --seed 7

Needs the ``synth`` extra (reportlab, segno) and a CJK TrueType font (Debian fonts-arphic-gbsn00lp or
fonts-wqy-microhei). The same seed writes the same bytes.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Iterable
from pathlib import Path

from office_agent.synth.model import SynthInvoice, make_invoice
from office_agent.synth.ofd import render_ofd
from office_agent.synth.pdf import render_pdf
from office_agent.synth.xmlgen import digital_xml

FORMATS = ("pdf", "ofd", "xml", "zip")

__all__ = ["FORMATS", "SynthInvoice", "make_invoice", "render_file", "write_corpus", "write_samples"]


def render_file(inv: SynthInvoice, fmt: str, rng: random.Random) -> bytes:
    if fmt == "pdf":
        return render_pdf(inv, rng)
    if fmt == "ofd":
        return render_ofd(inv)
    if fmt == "xml":
        if not inv.digital:
            raise ValueError("only 数电 invoices are downloaded as XML")
        return digital_xml(inv)
    if fmt == "zip":
        return bundle(inv, rng)
    raise ValueError(f"unknown format {fmt!r}")


def portal_name(inv: SynthInvoice, ext: str) -> str:
    """How the tax portal names its downloads."""
    return f"dzfp_{inv.number}_{inv.seller_name}_{inv.issue_date:%Y%m%d}.{ext}"


def bundle(inv: SynthInvoice, rng: random.Random, gbk: bool = False) -> bytes:
    """The tax portal's ZIP: the same 数电 invoice as PDF + OFD + XML."""
    members = {portal_name(inv, ext): render_file(inv, ext, rng) for ext in ("pdf", "ofd", "xml")}
    inv.files = list(members)
    return _zip(members, gbk)


def _zip(members: dict[str, bytes], gbk: bool = False) -> bytes:
    buf = io.BytesIO()
    placeholders: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            stored = name
            if gbk:  # GBK bytes with the UTF-8 flag clear, as Windows tools write them
                raw = name.encode("gbk")
                placeholder = f"{i:03d}".encode().ljust(len(raw), b"_")
                placeholders[placeholder] = raw
                stored = placeholder.decode()
            zf.writestr(zipfile.ZipInfo(stored, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    out = buf.getvalue()
    for placeholder, raw in placeholders.items():
        out = out.replace(placeholder, raw)
    return out


def write_corpus(
    out_dir: Path, count: int, seed: int = 1, formats: Iterable[str] = ("pdf",), truth_dir: Path | None = None
) -> list[Path]:
    """``count`` invoices in each format (XML and bundles only for 数电 invoices); truth as JSONL if asked."""
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = list(formats)
    written: list[Path] = []
    truths: list[str] = []
    for i in range(count):
        rng = random.Random(f"{seed}:{i}")
        digital_only = any(f in ("xml", "zip") for f in formats)
        kind = rng.choice(["digital_general", "digital_special"]) if digital_only else None
        inv = make_invoice(rng, kind)
        for fmt in formats:
            path = out_dir / f"{i:06d}.{fmt}"
            path.write_bytes(render_file(inv, fmt, rng))
            written.append(path)
            if truth_dir is not None:
                truths.append(json.dumps({"file": path.name, **inv.truth(fmt)}, ensure_ascii=False))
    if truth_dir is not None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        (truth_dir / "truth.jsonl").write_text("\n".join(truths) + "\n", encoding="utf-8")
    return written


def write_samples(invoices_dir: Path, truth_dir: Path, seed: int = 2024) -> list[Path]:
    """The committed sample set: every kind and format, bundles (one with GBK names, one nested), a red invoice
    with the invoice it reverses, and one invoice downloaded twice under two names."""
    rng = random.Random(seed)
    invoices_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(name: str, data: bytes, inv: SynthInvoice, fmt: str) -> None:
        (invoices_dir / name).write_bytes(data)
        if not inv.files:
            inv.files = [name]
        truth = inv.truth(fmt)
        truth["files"] = [name] if fmt != "zip" else [f"{name}!{m}" for m in inv.files]
        stem = name.rsplit(".", 1)[0]
        (truth_dir / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(invoices_dir / name)

    plan = [
        ("digital_general", "pdf", False), ("digital_general", "pdf", False), ("digital_special", "pdf", False),
        ("vat_electronic_general", "pdf", False), ("vat_electronic_general", "pdf", True),
        ("vat_electronic_special", "pdf", False), ("vat_electronic_general", "ofd", False),
        ("vat_electronic_general", "ofd", True), ("digital_special", "ofd", False),
        ("digital_general", "xml", False), ("digital_special", "xml", False),
    ]  # fmt: skip
    first_pdf: SynthInvoice | None = None
    for n, (kind, fmt, toll) in enumerate(plan, 1):
        inv = make_invoice(rng, kind, toll=toll)
        name = f"{n:02d}_{kind}{'_toll' if toll else ''}.{fmt}"
        save(name, render_file(inv, fmt, rng), inv, fmt)
        first_pdf = first_pdf or inv
    for n, gbk in ((12, False), (13, True)):
        inv = make_invoice(rng, rng.choice(["digital_general", "digital_special"]))
        save(f"{n:02d}_bundle{'_gbk' if gbk else ''}.zip", bundle(inv, rng, gbk=gbk), inv, "zip")
    inv = make_invoice(rng, "digital_general")
    inner = bundle(inv, rng)
    inner_name = f"发票_{inv.number}.zip"
    files = [f"{inner_name}!{m}" for m in inv.files]
    save("14_nested_bundles.zip", _zip({inner_name: inner}), inv, "zip")
    (truth_dir / "14_nested_bundles.json").write_text(
        json.dumps({**inv.truth("zip"), "files": [f"14_nested_bundles.zip!{f}" for f in files]}, ensure_ascii=False,
                   indent=2) + "\n", "utf-8",
    )  # fmt: skip
    assert first_pdf is not None
    blue = make_invoice(rng, "digital_general")
    save("15_blue_invoice.pdf", render_file(blue, "pdf", rng), blue, "pdf")
    red = make_invoice(rng, "digital_general", red_of=blue.number)
    red.seller_name, red.seller_tax_id, red.buyer_name, red.buyer_tax_id = (
        blue.seller_name, blue.seller_tax_id, blue.buyer_name, blue.buyer_tax_id,
    )  # fmt: skip
    save("16_red_invoice.xml", render_file(red, "xml", rng), red, "xml")
    again = first_pdf
    data = (invoices_dir / f"01_{again.kind}.pdf").read_bytes()
    (invoices_dir / "17_downloaded_again.pdf").write_bytes(data)
    written.append(invoices_dir / "17_downloaded_again.pdf")
    dup = again.truth("pdf")
    dup.update(files=["17_downloaded_again.pdf"], duplicate_of="01_digital_general.pdf")
    (truth_dir / "17_downloaded_again.json").write_text(json.dumps(dup, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return written
