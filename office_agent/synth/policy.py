"""Sample policy guides the project writes itself, with their ground truth: ``python -m office_agent.synth.policy``.

Four guides, each from one spec rendered to one format, so the ground truth comes from the same data as the text:

* ``passport_hangzhou.docx`` — 杭州市户籍居民普通护照办理指南 (Word headings, typed 一、（一）1. numbering, a table);
* ``id_card_renewal.pdf`` — 居民身份证换领指南 (PDF with a CJK font, larger-font headings, a ruled materials table);
* ``residence_permit.html`` — 杭州市居住证申领指南 (HTML buried in scripts, menus, breadcrumbs, a footer);
* ``travel_expense_policy.md`` — a company travel-expense policy (Markdown, 第X章/第X条, pipe tables).

Beside them, ``samples/policy_procedures``: guides holding several procedures (``synth.policy_procedures``), and
``samples/policy_scanned``: scanned and photographed versions (``synth.policy_scans``).

Next to each: ``<name>.truth.json`` with every required material (``match``: words an extracted item must contain;
``conditions``: the condition kinds it carries), the other items per kind, and questions with the materials a
correct checklist shows (``expect``) and leaves out (``excluded``). The rendering needs python-docx, reportlab and
the font ``fonts-wqy-microhei`` (Debian) for the PDF.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from office_agent.fontfiles import MICROHEI, ZENHEI, require_font

log = logging.getLogger(__name__)

FONT_PREFERENCE = (MICROHEI, ZENHEI)  # the order decides the PDF sample's bytes
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples" / "policy"
PROCEDURES_DIRNAME = "policy_procedures"  # guides holding several procedures, beside samples/policy
SCANNED_DIRNAME = "policy_scanned"  # scanned and photographed guides


@dataclass
class Truth:
    id: str
    match: list[str]
    kind: str = "material"
    conditions: list[str] = field(default_factory=list)
    original: bool | None = None
    copy: bool | None = None
    copies: int | None = None


@dataclass
class Item:
    text: str
    truth: Truth | None = None


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    truths: list[Truth | None]
    ruled: bool = True  # False: columns kept by alignment only (PDF), as many printed guides do


@dataclass
class Section:
    title: str
    body: list[str | Item | Table] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    procedure: bool = False  # a procedure of its own (a guide holding several: 首次申领 / 换领 / 补领)


@dataclass
class Guide:
    name: str
    suffix: str
    title: str
    sections: list[Section]
    questions: list[dict[str, Any]]

    def truths(self, sections: list[Section] | None = None) -> list[Truth]:
        out: list[Truth] = []

        def walk(section: Section) -> None:
            for part in section.body:
                if isinstance(part, Item) and part.truth:
                    out.append(part.truth)
                elif isinstance(part, Table):
                    out.extend(t for t in part.truths if t)
            for sub in section.subsections:
                walk(sub)

        for s in self.sections if sections is None else sections:
            walk(s)
        return out

    def procedures(self) -> list[dict[str, Any]]:
        """Per procedure section: its name (the heading without its number) and the truth ids it must hold —
        its own and those of the sections outside every procedure."""
        shared = self.truths([s for s in self.sections if not s.procedure])
        out = []
        for section in self.sections:
            if section.procedure:
                own = self.truths([section]) + shared
                name = section.title.split("、", 1)[-1]
                out.append({"name": name, "materials": [t.id for t in own if t.kind == "material"],
                            "items": [t.id for t in own if t.kind != "material"]})  # fmt: skip
        return out


def material(text: str, id: str, match: list[str], conditions: list[str] | None = None, **attrs: Any) -> Item:
    return Item(text, Truth(id, match, "material", conditions or [], **attrs))


def item(kind: str, text: str, id: str, match: list[str], conditions: list[str] | None = None) -> Item:
    return Item(text, Truth(id, match, kind, conditions or []))


# --- rendering ----------------------------------------------------------------------------------------------------


def _numbered(body: list[str | Item | Table]) -> list[tuple[str, str | Item | Table]]:
    """Items numbered 1. 2. …; paragraphs and tables as they are."""
    out: list[tuple[str, str | Item | Table]] = []
    n = 0
    for part in body:
        if isinstance(part, Item):
            n += 1
            out.append((f"{n}. ", part))
        else:
            out.append(("", part))
    return out


def render_docx(guide: Guide, path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_paragraph(guide.title, style="Title")
    for section in guide.sections:
        doc.add_paragraph(section.title, style="Heading 1")
        _docx_body(doc, section.body)
        for sub in section.subsections:
            p = doc.add_paragraph()
            run = p.add_run(sub.title)  # typed （一） numbering, bold: no heading style, as many real guides do
            run.bold = True
            run.font.size = Pt(12)
            _docx_body(doc, sub.body)
    doc.core_properties.title = guide.title
    doc.save(str(path))


def _docx_body(doc: Any, body: list[str | Item | Table]) -> None:
    for marker, part in _numbered(body):
        if isinstance(part, Table):
            table = doc.add_table(rows=1 + len(part.rows), cols=len(part.header))
            table.style = "Table Grid"
            for r, row in enumerate([part.header, *part.rows]):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        elif isinstance(part, Item):
            doc.add_paragraph(marker + part.text)
        else:
            doc.add_paragraph(part)


def render_markdown(guide: Guide, path: Path) -> None:
    lines = [f"# {guide.title}", ""]
    for section in guide.sections:
        lines += [f"## {section.title}", ""]
        lines += _md_body(section.body)
        for sub in section.subsections:
            lines += [f"### {sub.title}", ""]
            lines += _md_body(sub.body)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def _md_body(body: list[str | Item | Table]) -> list[str]:
    lines: list[str] = []
    for marker, part in _numbered(body):
        if isinstance(part, Table):
            lines += ["", "| " + " | ".join(part.header) + " |", "|" + "---|" * len(part.header)]
            lines += ["| " + " | ".join(row) + " |" for row in part.rows]
            lines.append("")
        elif isinstance(part, Item):
            lines.append(f"{marker.strip()} {part.text}")
        else:
            lines += ["", part, ""]
    return [*lines, ""]


_HTML_CHROME_HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());
gtag('config','G-XXXX');var 材料='这段脚本里的文字不是正文';</script>
<script src="/static/js/jquery.min.js"></script><style>.nav{{display:flex}} body{{font-family:sans-serif}}</style>
</head><body>
<div class="cookie-banner">本网站使用Cookie改善体验。<button>同意</button></div>
<header class="site-header"><div class="logo">杭州市人民政府门户网站</div>
<nav class="main-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/bsfw">办事服务</a></li><li><a href="/hdjl">互动交流</a></li>
<li><a href="/search">搜索</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/bsfw">办事服务</a> &gt; 居住证</div>
<aside class="sidebar"><h3>相关服务</h3><ul><li><a href="/a">积分落户申请</a></li><li><a href="/b">护照办理</a></li>
<li><a href="/c">居民身份证办理</a></li></ul></aside>
<main id="content">
"""
_HTML_CHROME_FOOT = """</main>
<div class="share-bar">分享到：<a href="#">微信</a><a href="#">微博</a></div>
<footer class="site-footer"><p>主办单位：杭州市人民政府办公厅 版权所有</p><p>浙ICP备000000号</p>
<script>document.write('<p>访问量统计</p>');</script></footer>
<script>(function(){var s=document.createElement('script');s.src='/stat.js';document.body.appendChild(s);})();</script>
</body></html>
"""


def render_html(guide: Guide, path: Path) -> None:
    out = [_HTML_CHROME_HEAD.format(title=html.escape(guide.title)), f"<h1>{html.escape(guide.title)}</h1>"]
    for section in guide.sections:
        out.append(f"<h2>{html.escape(section.title)}</h2>")
        out += _html_body(section.body)
        for sub in section.subsections:
            out.append(f"<h3>{html.escape(sub.title)}</h3>")
            out += _html_body(sub.body)
    out.append(_HTML_CHROME_FOOT)
    path.write_text("\n".join(out), encoding="utf-8")


def _html_body(body: list[str | Item | Table]) -> list[str]:
    out: list[str] = []
    in_list = False
    for part in body:
        if isinstance(part, Item):
            if not in_list:
                out.append("<ol>")
                in_list = True
            out.append(f"<li>{html.escape(part.text)}</li>")
            continue
        if in_list:
            out.append("</ol>")
            in_list = False
        if isinstance(part, Table):
            out.append('<table class="data"><thead><tr>')
            out += [f"<th>{html.escape(h)}</th>" for h in part.header]
            out.append("</tr></thead><tbody>")
            for row in part.rows:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        else:
            out.append(f"<p>{html.escape(part)}</p>")
    if in_list:
        out.append("</ol>")
    return out


def render_pdf(guide: Guide, path: Path | io.BytesIO) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(TTFont("CJK", require_font(FONT_PREFERENCE, "the PDF policy samples")))

    def style(size: float, lead: float, space: float = 4) -> ParagraphStyle:
        return ParagraphStyle(f"s{size}", fontName="CJK", fontSize=size, leading=lead, spaceAfter=space,
                              wordWrap="CJK")  # fmt: skip

    title, h1, h2, body = style(18, 24, 10), style(14, 20, 6), style(12, 17), style(10.5, 15)
    cell = style(9.5, 13, 0)
    story: list[Any] = [Paragraph(html.escape(guide.title), title)]
    for section in guide.sections:
        story.append(Paragraph(html.escape(section.title), h1))
        for sub in [Section("", section.body), *section.subsections]:
            if sub.title:
                story.append(Paragraph(html.escape(sub.title), h2))
            for marker, part in _numbered(sub.body):
                if isinstance(part, Table):
                    data = [[Paragraph(html.escape(c), cell) for c in row] for row in [part.header, *part.rows]]
                    t = RLTable(data, repeatRows=1, hAlign="LEFT")
                    if part.ruled:
                        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
                    else:  # no rules: wide gutters and row spacing keep the columns apart
                        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                               ("RIGHTPADDING", (0, 0), (-1, -1), 24),
                                               ("TOPPADDING", (0, 0), (-1, -1), 5),
                                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))  # fmt: skip
                    story += [t, Spacer(1, 8)]
                elif isinstance(part, Item):
                    story.append(Paragraph(html.escape(marker + part.text), body))
                else:
                    story.append(Paragraph(html.escape(part), body))
    target = str(path) if isinstance(path, Path) else path
    doc = SimpleDocTemplate(target, pagesize=A4, title=guide.title, author="office-agent samples",
                            invariant=1)  # fmt: skip
    doc.build(story)


RENDERERS = {".docx": render_docx, ".md": render_markdown, ".html": render_html, ".pdf": render_pdf}


def truth_record(guide: Guide) -> dict[str, Any]:
    truths = guide.truths()
    record = {
        "file": guide.name + guide.suffix,
        "title": guide.title,
        "materials": [t.__dict__ for t in truths if t.kind == "material"],
        "items": [t.__dict__ for t in truths if t.kind != "material"],
        "questions": guide.questions,
    }
    if any(s.procedure for s in guide.sections):
        record["procedures"] = guide.procedures()
    return record


def guides() -> list[Guide]:
    from office_agent.synth.policy_guides import GUIDES  # the texts live in their own module

    return GUIDES


def procedure_guides() -> list[Guide]:
    from office_agent.synth.policy_procedures import PROCEDURE_GUIDES

    return PROCEDURE_GUIDES


def write_samples(out_dir: Path = SAMPLES_DIR, which: list[Guide] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for guide in guides() if which is None else which:
        path = out_dir / f"{guide.name}{guide.suffix}"
        RENDERERS[guide.suffix](guide, path)
        truth = out_dir / f"{guide.name}.truth.json"
        truth.write_text(json.dumps(truth_record(guide), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written += [path, truth]
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR)
    parser.add_argument("--no-scans", action="store_true", help="skip the scanned and photographed versions")
    args = parser.parse_args()
    written = write_samples(args.out)
    written += write_samples(args.out.parent / PROCEDURES_DIRNAME, procedure_guides())
    if not args.no_scans:
        from office_agent.synth.policy_scans import write_scans

        written += write_scans(args.out.parent / SCANNED_DIRNAME)
    for path in written:
        print(path)


if __name__ == "__main__":
    # Run the imported module, not this ``__main__`` copy: the guides are built from its classes.
    from office_agent.synth.policy import main as _main

    _main()
