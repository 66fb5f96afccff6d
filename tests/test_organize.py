"""organize: every input accounted for, originals byte-identical, names from the template and safe everywhere."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from office_agent.batch import run_batch
from office_agent.errors import BadArguments
from office_agent.generate.organize import MAX_NAME_BYTES, check_template, organize, sanitize


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def check_accounted(inputs: Path, out: Path, before: dict[str, str]) -> dict:
    """Originals untouched; every input file listed once; every copy byte-identical to its original."""
    assert digests(inputs) == before
    manifest = json.loads((out / "organize.json").read_text(encoding="utf-8"))
    listed = [Path(f["source"]).resolve() for f in manifest["files"]]
    assert sorted(listed) == sorted((inputs / k).resolve() for k in before)
    for f in manifest["files"]:
        src = hashlib.sha256(Path(f["source"]).read_bytes()).hexdigest()
        if f["status"] == "identical":
            assert hashlib.sha256((out / f["dest"]).read_bytes()).hexdigest() == src
        elif f["dest"]:
            assert hashlib.sha256((out / f["dest"]).read_bytes()).hexdigest() == src, f
    copies = [p for p in out.rglob("*") if p.is_file() and p.name != "organize.json"]
    assert len(copies) == sum(1 for f in manifest["files"] if f["dest"] and f["status"] != "identical")
    return manifest


@pytest.mark.slow
def test_organize_the_samples_by_month(samples, tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(samples, inputs)
    before = digests(inputs)
    result = run_batch([inputs], workers=2)
    done = organize(result, tmp_path / "out", by="month", inputs=(inputs,))
    manifest = check_accounted(inputs, tmp_path / "out", before)
    dests = {Path(f["source"]).name: f["dest"] for f in manifest["files"]}
    assert (
        dests["01_digital_general.pdf"]
        == "2025-08/20250820_北星河新元信息技术有限公司_6340.69_25257568934858137283.pdf"
    )
    assert dests["12_bundle.zip"].startswith("2023-06/20230611_") and dests["12_bundle.zip"].endswith(".zip")
    again = next(f for f in done.files if f.source.endswith("17_downloaded_again.pdf"))
    assert again.status == "identical" and again.dest == dests["01_digital_general.pdf"]


def test_duplicates_unreadable_collisions_and_bundles(samples, tmp_path):
    inputs = tmp_path / "in"
    (inputs / "alice").mkdir(parents=True)
    (inputs / "bob").mkdir()
    shutil.copy(samples / "10_digital_general.xml", inputs / "alice" / "a.xml")
    xml = (samples / "10_digital_general.xml").read_bytes()
    (inputs / "bob" / "b.xml").write_bytes(xml + b"\n<!-- downloaded again -->\n")  # same invoice, other bytes
    (inputs / "bob" / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (inputs / "bob" / "CON.pdf").write_bytes(b"not a pdf at all")
    before = digests(inputs)
    result = run_batch([inputs], workers=0)
    done = organize(result, tmp_path / "out", by="person", name="{person}_{number}", inputs=(inputs,))
    check_accounted(inputs, tmp_path / "out", before)
    status = {Path(f.source).name: (f.status, f.dest) for f in done.files}
    assert status["a.xml"] == ("copied", "alice/alice_24389573011105583100.xml")
    assert status["b.xml"][0] == "duplicate" and status["b.xml"][1].startswith("重复/")
    assert status["broken.pdf"] == ("unreadable", "无法识别/broken.pdf")
    assert status["CON.pdf"] == ("unreadable", "无法识别/_CON.pdf")  # a Windows device name, made safe


def test_two_files_that_want_one_name_are_told_apart(samples, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("01_digital_general.pdf", "03_digital_special.pdf"):
        shutil.copy(samples / name, inputs / name)
    result = run_batch([inputs], workers=0)
    done = organize(result, tmp_path / "out", by="none", name="{kind}")
    assert sorted(f.dest or "" for f in done.files) == ["digital_general.pdf", "digital_special.pdf"]
    done = organize(result, tmp_path / "out2", by="none", name="{year}")
    assert sorted(f.dest or "" for f in done.files) == ["2024.pdf", "2025.pdf"]
    done = organize(result, tmp_path / "out3", by="none", name="{buyer}")
    assert sorted(f.dest or "" for f in done.files) == ["北京演示软件有限公司.pdf", "北京演示软件有限公司_2.pdf"]


@pytest.mark.parametrize("template", ["{date}_{nope}", "{date", "plain"])
def test_bad_templates_are_refused(template):
    with pytest.raises(BadArguments, match="name template"):
        check_template(template)


@given(st.text(max_size=400))
def test_sanitized_names_are_safe_everywhere(name):
    out = sanitize(name)
    assert out and len(out.encode("utf-8")) <= MAX_NAME_BYTES
    assert not any(c in out for c in '/\\:*?"<>|') and all(ord(c) >= 32 and c != "\x7f" for c in out)
    assert not out.endswith((" ", ".")) and out.split(".")[0].lower() not in {"con", "prn", "aux", "nul"}


@pytest.mark.slow
def test_a_generated_thousand_file_corpus_is_accounted_for(tmp_path):
    from office_agent.synth import write_corpus

    inputs = tmp_path / "in"
    rng = random.Random(1000)
    files = write_corpus(tmp_path / "gen", 940, seed=7, formats=("xml",))
    for i, f in enumerate(files):
        person = inputs / ("张三", "李四", "王五")[i % 3]
        person.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, person / f.name)
    for f in rng.sample(files, 30):  # the same file again, elsewhere: byte-identical
        shutil.copy(f, inputs / "张三" / f"copy_{f.name}")
    for k in range(30):  # unreadable: truncated or not invoices at all
        (inputs / "李四" / f"bad_{k}.pdf").write_bytes(b"%PDF-1.4\n" + rng.randbytes(200))
    all_files = [p for p in inputs.rglob("*") if p.is_file()]
    assert len(all_files) == 1000
    before = digests(inputs)
    result = run_batch([inputs], workers=2)
    done = organize(result, tmp_path / "out", by="person", inputs=(inputs,))
    manifest = check_accounted(inputs, tmp_path / "out", before)
    counts = manifest["counts"]
    assert counts == {"copied": 940, "identical": 30, "unreadable": 30}
    assert len(done.files) == 1000
    copied = [f for f in manifest["files"] if f["status"] == "copied"]
    assert all(f["dest"].split("/")[0] in ("张三", "李四", "王五") for f in copied)


@pytest.mark.slow
def test_organize_command(samples, tmp_path):
    from office_agent.cli import app

    out = tmp_path / "tidy"
    res = CliRunner().invoke(app, ["organize", str(samples), "-o", str(out), "--by", "category", "-j", "2"])
    assert res.exit_code == 0, res.output
    assert "organized 17 files" in res.output
    assert (out / "培训").is_dir() and (out / "organize.json").is_file()
    res = CliRunner().invoke(app, ["organize", str(samples), "-o", str(out), "--name", "{oops}"])
    assert res.exit_code != 0


def test_a_bundles_separate_files_keep_one_name_side_by_side(samples, tmp_path):
    import zipfile

    inputs = tmp_path / "in"
    inputs.mkdir()
    with zipfile.ZipFile(samples / "12_bundle.zip") as zf:
        for member in zf.namelist():
            (inputs / f"portal{Path(member).suffix}").write_bytes(zf.read(member))
    before = digests(inputs)
    result = run_batch([inputs], workers=0)
    assert len(result.invoices) == 1  # PDF + OFD + XML of one invoice
    done = organize(result, tmp_path / "out", by="month")
    check_accounted(inputs, tmp_path / "out", before)
    dests = sorted(f.dest or "" for f in done.files)
    stems = {str(Path(d).with_suffix("")) for d in dests}
    assert len(stems) == 1 and sorted(Path(d).suffix for d in dests) == [".ofd", ".pdf", ".xml"]
    assert all(f.status == "copied" for f in done.files)
