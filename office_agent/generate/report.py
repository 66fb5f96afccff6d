"""The review report: one self-contained HTML file a person opens to see why each number can be trusted.

One card per invoice: a picture of the page with a box around every field that was read from it (red where the
field is flagged), the fields with where each came from, and the reasons to look again. A "needs review" switch
and a search box filter the cards (``report.html#needs-review`` opens filtered). Everything is inline — styles,
script, page pictures as data URIs — so it works offline, from a mail attachment, with no CDN.
All text from documents is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from office_agent import __version__
from office_agent.generate.labels import Lang, category_name, field_name, kind_name, t
from office_agent.generate.ledger import atomic_write, generated_at
from office_agent.generate.ledger_view import LedgerOptions, ReviewItem, Row, build_view, flagged_fields
from office_agent.generate.pageimage import PageImage, page_image
from office_agent.models import BatchResult, FileResult, Invoice

CARD_FIELDS = (
    "invoice_code", "invoice_number", "issue_date", "seller_name", "seller_tax_id", "buyer_name", "buyer_tax_id",
    "amount_without_tax", "tax_amount", "total_amount", "total_amount_in_words", "check_code", "remarks",
)  # fmt: skip
MONEY_FIELDS = {"amount_without_tax", "tax_amount", "total_amount"}

CSS = """
.oa{font-family:"Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Noto Sans CJK SC",system-ui,sans-serif;
 color:#1f2328;font-size:14px;line-height:1.45}
.oa *{box-sizing:border-box}
.oa-top{position:sticky;top:0;z-index:5;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:10px 16px}
.oa-top h1{font-size:20px;margin:0 0 6px}
.oa-stats{display:flex;flex-wrap:wrap;gap:14px;margin-bottom:8px}
.oa-stats b{font-size:16px}
.oa-tools{display:flex;gap:14px;align-items:center;flex-wrap:wrap}
.oa-tools input[type=search]{padding:4px 8px;min-width:260px;border:1px solid #d0d7de;border-radius:6px}
.oa-cards{padding:16px;display:grid;gap:16px}
.oa-card{border:1px solid #d0d7de;border-radius:8px;background:#fff;overflow:hidden}
.oa-card.oa-flagged{border-color:#cf222e;box-shadow:0 0 0 1px #cf222e inset}
.oa-card[hidden]{display:none}
.oa:has(#oa-only-review:checked) .oa-card:not(.oa-flagged){display:none}
.oa-card header{display:flex;flex-wrap:wrap;gap:10px;align-items:baseline;padding:8px 12px;background:#f6f8fa;
 border-bottom:1px solid #d0d7de}
.oa-card h2{font-size:16px;margin:0;font-family:ui-monospace,Consolas,monospace}
.oa-badge{border-radius:10px;padding:0 8px;font-size:12px;background:#ddf4ff;color:#0969da}
.oa-badge.oa-bad{background:#ffebe9;color:#cf222e}
.oa-badge.oa-ok{background:#dafbe1;color:#1a7f37}
.oa-badge.oa-grey{background:#eaeef2;color:#57606a}
.oa-body{display:flex;flex-wrap:wrap;gap:16px;padding:12px}
.oa-page{position:relative;margin:0 0 18px;flex:0 0 auto;border:1px solid #d0d7de;line-height:0;
 align-self:flex-start}
.oa-page img{display:block;max-width:100%}
.oa-page figcaption{position:absolute;left:0;right:0;top:100%;font-size:11px;line-height:1.3;color:#57606a;
 padding:2px 0;background:#fff}
.oa-page[data-kind=xml]{border-style:dashed;border-color:#8250df}
.oa-page[data-kind=xml] figcaption{color:#8250df}
.oa-noimg{width:260px;height:120px;display:flex;align-items:center;justify-content:center;background:#f6f8fa;
 color:#57606a;line-height:1.4;border:1px dashed #d0d7de;align-self:flex-start}
.oa-box{position:absolute;border:1.5px solid rgba(9,105,218,.9);background:rgba(9,105,218,.08)}
.oa-box.oa-bad{border:2px solid #cf222e;background:rgba(207,34,46,.18)}
.oa-box span{position:absolute;left:0;top:-13px;font-size:10px;line-height:12px;padding:0 3px;background:#0969da;
 color:#fff;white-space:nowrap;display:none}
.oa-box.oa-bad span,.oa-box:hover span{display:block}
.oa-box.oa-bad span{background:#cf222e}
.oa-side{flex:1 1 340px;min-width:300px}
.oa-fields{border-collapse:collapse;width:100%}
.oa-fields th,.oa-fields td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:left;vertical-align:top}
.oa-fields th{white-space:nowrap;color:#57606a;font-weight:normal}
.oa-fields tr.oa-bad{background:#ffebe9}
.oa-fields tr.oa-bad td:first-of-type{font-weight:bold;color:#cf222e}
.oa-why{display:block;font-size:12px;color:#cf222e;font-weight:normal}
.oa-from{color:#57606a;font-size:12px;white-space:nowrap}
.oa-reasons{margin:8px 0 0;padding-left:20px;color:#cf222e}
.oa-src{color:#57606a;font-size:12px;word-break:break-all}
.oa-files{margin:0 16px 16px;padding:8px 12px;border:1px solid #cf222e;border-radius:8px;background:#fff8f8}
.oa-files h2{font-size:15px;margin:0 0 6px}
.oa details{margin-top:8px}
.oa-items{border-collapse:collapse;font-size:12px}
.oa-items td,.oa-items th{border:1px solid #eaeef2;padding:2px 5px}
"""

SCRIPT = """
(function(){
 var box=document.getElementById('oa-only-review'),q=document.getElementById('oa-search');
 var cards=Array.prototype.slice.call(document.querySelectorAll('.oa-card'));
 function apply(){
  var s=(q&&q.value||'').trim().toLowerCase(),n=0;
  cards.forEach(function(c){
   var hide=(box&&box.checked&&!c.classList.contains('oa-flagged'))||(s&&c.dataset.search.indexOf(s)<0);
   c.hidden=!!hide; if(!hide){n++;}
  });
  var out=document.getElementById('oa-shown'); if(out){out.textContent=n;}
  document.body.setAttribute('data-visible-cards',n);
  try{history.replaceState(null,'',box&&box.checked?'#needs-review':location.pathname+location.search);}catch(e){}
 }
 function shown(list){return Array.prototype.filter.call(list,function(b){return b.offsetWidth>0&&b.offsetHeight>0;});}
 function thumbs(){
  var ok=Array.prototype.filter.call(document.images,function(i){return i.complete&&i.naturalWidth>0;});
  document.body.setAttribute('data-thumbs-loaded',ok.length);
  document.body.setAttribute('data-flagged-boxes-shown',shown(document.querySelectorAll('.oa-box.oa-bad')).length);
  var per={};
  Array.prototype.forEach.call(document.querySelectorAll('.oa-page[data-kind]'),function(f){
   var img=f.querySelector('img'),k=f.dataset.kind;
   if(img&&img.complete&&img.naturalWidth){per[k]=(per[k]||0)+shown(f.querySelectorAll('.oa-box')).length;}
  });
  Object.keys(per).forEach(function(k){document.body.setAttribute('data-boxes-'+k,per[k]);});
 }
 if(box&&location.hash==='#needs-review'){box.checked=true;}
 if(box){box.addEventListener('change',apply);} if(q){q.addEventListener('input',apply);}
 apply(); thumbs(); window.addEventListener('load',thumbs);
})();
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _value(inv: Invoice, name: str) -> str | None:
    v = getattr(inv, name, None)
    if v is None:
        return None
    if isinstance(v, Decimal):
        return f"¥{v:,.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _boxes(image: PageImage, flagged: dict[str, list[str]], lang: Lang) -> str:
    if image.page_size is None:
        return ""
    w, h = image.page_size
    out = []
    for name in sorted(image.boxes):
        box = image.boxes[name]
        x0, y0, x1, y1 = (max(0.0, min(1.0, v)) for v in (box[0] / w, box[1] / h, box[2] / w, box[3] / h))
        if x1 <= x0 or y1 <= y0:
            continue
        bad = name in flagged
        title = field_name(name, lang) + (": " + "; ".join(flagged[name]) if bad else "")
        style = f"left:{x0 * 100:.2f}%;top:{y0 * 100:.2f}%;width:{(x1 - x0) * 100:.2f}%;height:{(y1 - y0) * 100:.2f}%"
        cls = "oa-box oa-bad" if bad else "oa-box"
        out.append(
            f'<div class="{cls}" data-field="{esc(name)}" style="{style}" title="{esc(title)}">'
            f"<span>{esc(field_name(name, lang))}</span></div>"
        )
    return "".join(out)


def _figure(inv: Invoice, image: PageImage | None, flagged: dict[str, list[str]], lang: Lang) -> str:
    if image is None:
        fmt = inv.format.value.upper() if inv.format else "?"
        return f'<div class="oa-noimg">{esc(t("report.no_image", lang, fmt=fmt))}</div>'
    alt = f"{image.source} — {t('report.page', lang, page=image.page)}"
    caption = t(f"report.picture.{image.kind}", lang)
    if image.note:
        caption += f" · {image.note}"
    return (
        f'<figure class="oa-page" data-kind="{esc(image.kind)}" style="width:{image.width_px}px">'
        f'<img src="{image.data_uri}" width="{image.width_px}" height="{image.height_px}" alt="{esc(alt)}">'
        f"{_boxes(image, flagged, lang)}<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _fields_table(inv: Invoice, flagged: dict[str, list[str]], lang: Lang) -> str:
    rows = [
        f'<tr><th>{esc(t("report.field", lang))}</th><th>{esc(t("report.value", lang))}</th>'
        f'<th>{esc(t("report.from", lang))}</th></tr>'
    ]
    names = [n for n in CARD_FIELDS if getattr(inv, n, None) is not None or n in flagged]
    names += [n for n in flagged if n not in names and n != "items"]
    for name in names:
        prov = inv.provenance.get(name)
        origin = ""
        if prov is not None:
            page = f" · p{prov.page}" if prov.page else ""
            origin = f"{prov.source.value}{page} · {prov.confidence:.2f}"
        why = "".join(f'<span class="oa-why">{esc(r)}</span>' for r in flagged.get(name, []))
        cls = ' class="oa-bad"' if name in flagged else ""
        rows.append(
            f'<tr{cls} data-field="{esc(name)}"><td>{esc(field_name(name, lang))}</td>'
            f'<td>{esc(_value(inv, name))}{why}</td><td class="oa-from">{esc(origin)}</td></tr>'
        )
    return f'<table class="oa-fields">{"".join(rows)}</table>'


def _items(inv: Invoice, lang: Lang) -> str:
    if not inv.items:
        return ""
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("col.item_name", "col.amount", "col.tax_rate", "col.tax"))
    body = "".join(
        f"<tr><td>{esc(i.name)}</td><td>{esc(i.amount)}</td><td>{esc(i.tax_rate)}</td><td>{esc(i.tax_amount)}</td></tr>"
        for i in inv.items
    )
    return (
        f"<details><summary>{esc(t('report.items', lang, n=len(inv.items)))}</summary>"
        f'<table class="oa-items"><tr>{head}</tr>{body}</table></details>'
    )


def card_html(
    inv: Invoice, review: Sequence[ReviewItem], lang: Lang = "zh", image: PageImage | None = None, index: int = 0
) -> str:
    """One invoice's card (the report's and the notebook's)."""
    flagged = flagged_fields(review)
    badges = [
        f'<span class="oa-badge oa-bad">{esc(t("status.partial", lang))}</span>'
        if review
        else f'<span class="oa-badge oa-ok">{esc(t("status.ok", lang))}</span>',
        f'<span class="oa-badge">{esc(kind_name(inv.invoice_kind.value, lang))}</span>',
        f'<span class="oa-badge oa-grey">{esc(category_name(inv.category, lang))}</span>',
    ]
    if inv.duplicate_of:
        badges.append(f'<span class="oa-badge oa-grey">{esc(t("issue.duplicate", lang))}</span>')
    if inv.is_red:
        badges.append(f'<span class="oa-badge oa-bad">{esc(t("red", lang))}</span>')
    title = inv.invoice_number or Path(inv.source.split("!")[-1]).name
    total = f"¥{inv.total_amount:,.2f}" if inv.total_amount is not None else ""
    reasons = "".join(f"<li>{esc(t(f'issue.{r.issue}', lang))}: {esc(r.reason)}</li>" for r in review)
    search = " ".join(x for x in (inv.invoice_number, inv.seller_name, inv.buyer_name, inv.source) if x).lower()
    cls = "oa-card oa-flagged" if review else "oa-card"
    return (
        f'<article class="{cls}" id="oa-card-{index}" data-search="{esc(search)}">'
        f"<header><h2>{esc(title)}</h2>{''.join(badges)}<span>{esc(_value(inv, 'issue_date'))}</span>"
        f"<span>{esc(inv.seller_name)}</span><b>{esc(total)}</b></header>"
        f'<div class="oa-body">{_figure(inv, image, flagged, lang)}<div class="oa-side">'
        f"{_fields_table(inv, flagged, lang)}"
        f'{f"<ul class=oa-reasons>{reasons}</ul>" if reasons else ""}{_items(inv, lang)}'
        f'<div class="oa-src">{esc(inv.source)}</div></div></div></article>'
    )


def _files_section(files: Sequence[FileResult], lang: Lang) -> str:
    if not files:
        return ""
    items = "".join(
        f"<li><b>{esc(t(f'status.{f.status.value}', lang))}</b> {esc(f.source)}: {esc(f.reason)}</li>" for f in files
    )
    return f'<section class="oa-files"><h2>{esc(t("report.files_section", lang))}</h2><ul>{items}</ul></section>'


def _notices_section(review: Sequence[ReviewItem], lang: Lang) -> str:
    """What belongs to no card: corrections that were not applied (their file changed or is gone)."""
    items = "".join(f"<li>{esc(r.reason)}</li>" for r in review if r.issue == "correction")
    if not items:
        return ""
    return f'<section class="oa-files"><h2>{esc(t("issue.correction", lang))}</h2><ul>{items}</ul></section>'


def _stats(rows: Sequence[Row], files: Sequence[FileResult], lang: Lang) -> str:
    flagged = sum(1 for r in rows if r.review)
    total = sum((r.invoice.total_amount for r in rows if r.counted and r.invoice.total_amount is not None), Decimal(0))
    parts = [
        f"<span><b>{len(rows)}</b> {esc(t('report.invoices', lang))}</span>",
        f'<span><b data-count="needs-review">{flagged}</b> {esc(t("report.needs_review", lang))}</span>',
        f"<span><b>{len(files)}</b> {esc(t('report.problem_files', lang))}</span>",
        f"<span>{esc(t('report.counted_total', lang))} <b>¥{total:,.2f}</b></span>",
    ]
    if not flagged and not files:
        parts.append(f'<span class="oa-badge oa-ok">{esc(t("report.all_good", lang))}</span>')
    return f'<div class="oa-stats">{"".join(parts)}</div>'


def render_report(
    result: BatchResult,
    options: LedgerOptions | None = None,
    source_root: Path | None = None,
    *,
    thumbnails: bool = True,
    width: int = 560,
) -> str:
    """The whole report as one HTML string (same rows, filters and reasons as the ledger)."""
    view = build_view(result, options)
    lang = view.options.lang
    cards = []
    for i, row in enumerate(view.rows):
        image = page_image(row.invoice, source_root, width) if thumbnails else None
        cards.append(card_html(row.invoice, row.review, lang, image, i))
    when = generated_at(view.options).isoformat(sep=" ")
    title = t("report.title", lang)
    return (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body class=\"oa\" style=\"margin:0;background:#eef1f4\">"
        f'<div class="oa-top"><h1>{esc(title)}</h1>{_stats(view.rows, view.problem_files, lang)}'
        f'<div class="oa-tools"><label><input type="checkbox" id="oa-only-review"> '
        f"{esc(t('report.only_review', lang))}</label>"
        f'<input type="search" id="oa-search" placeholder="{esc(t("report.search", lang))}">'
        f'<span>{esc(t("report.shown", lang))} <output id="oa-shown">{len(cards)}</output></span>'
        f'<span class="oa-src">{esc(t("report.generated", lang, when=when, version=__version__))}</span></div></div>'
        f"{_files_section(view.problem_files, lang)}{_notices_section(view.review, lang)}"
        f'<main class="oa-cards">{"".join(cards)}</main><script>{SCRIPT}</script></body></html>'
    )


def write_report(
    result: BatchResult,
    path: Path,
    options: LedgerOptions | None = None,
    source_root: Path | None = None,
    *,
    thumbnails: bool = True,
    width: int = 560,
) -> Path:
    """Write the report to ``path`` (atomically); returns the path."""
    text = render_report(result, options, source_root, thumbnails=thumbnails, width=width)
    with atomic_write(path) as fh:
        fh.write(text)
    return path
