"""Every word the ledger and the review report show a person, in Chinese (the default) and English.

Kept in one table so the two languages cannot drift apart: a key missing from one language is a test failure,
not a blank cell.
"""

from __future__ import annotations

from typing import Literal

from office_agent.extract.classify import load_category_rules

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # sheet names
    "sheet.ledger": ("台账", "Ledger"),
    "sheet.items": ("明细", "Line items"),
    "sheet.summary": ("汇总", "Summary"),
    "sheet.review": ("待复核", "To review"),
    "sheet.about": ("说明", "About"),
    # 台账 columns
    "col.date": ("开票日期", "Issue date"),
    "col.kind": ("发票类型", "Kind"),
    "col.code": ("发票代码", "Invoice code"),
    "col.number": ("发票号码", "Invoice number"),
    "col.seller": ("销售方", "Seller"),
    "col.seller_tax_id": ("销售方税号", "Seller tax id"),
    "col.buyer": ("购买方", "Buyer"),
    "col.buyer_tax_id": ("购买方税号", "Buyer tax id"),
    "col.category": ("类别", "Category"),
    "col.amount": ("金额", "Amount"),
    "col.tax": ("税额", "Tax"),
    "col.total": ("价税合计", "Total"),
    "col.counted": ("计入合计", "Counted"),
    "col.checks": ("校验", "Checks"),
    "col.status": ("状态", "Status"),
    "col.problems": ("问题", "Problems"),
    "col.source": ("来源文件", "Source file"),
    "col.person": ("报销人", "Person"),
    "col.project": ("项目", "Project"),
    # 明细 columns
    "col.item_name": ("项目名称", "Item"),
    "col.spec": ("规格型号", "Spec"),
    "col.unit": ("单位", "Unit"),
    "col.quantity": ("数量", "Quantity"),
    "col.unit_price": ("单价", "Unit price"),
    "col.tax_rate": ("税率", "Tax rate"),
    # 待复核 columns
    "col.issue": ("问题类型", "Issue"),
    "col.file": ("文件", "File"),
    "col.field": ("字段", "Field"),
    "col.reason": ("原因", "Reason"),
    # values
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "status.ok": ("正常", "ok"),
    "status.partial": ("待复核", "needs review"),
    "status.failed": ("失败", "failed"),
    "status.skipped": ("已跳过", "skipped"),
    "red": ("红字", "red"),
    "uncategorised": ("未分类", "Uncategorised"),
    "ungrouped": ("（未分组）", "(no folder)"),
    "total_row": ("合计（不含重复）", "Total (duplicates left out)"),
    "empty_ledger": ("没有读到发票（见“待复核”）", "No invoices were read (see “To review”)"),
    "empty_items": ("没有明细", "No line items"),
    "empty_review": ("没有需要复核的内容", "Nothing to review"),
    "reverses": ("冲销 {number}", "reverses {number}"),
    "duplicate_of": ("与 {source} 重复，未计入合计", "duplicate of {source}: left out of totals"),
    # 汇总
    "summary.title": ("按类别和月份汇总（不含重复，红字冲减）", "By category and month (no duplicates, red netted)"),
    "summary.category": ("类别", "Category"),
    "summary.total": ("合计", "Total"),
    "summary.grand": ("总计", "Grand total"),
    "summary.no_date": ("无日期", "No date"),
    "summary.by_group": ("按{group}和类别汇总", "By {group} and category"),
    "summary.chart": ("各月各类别支出", "Spending by category and month"),
    "summary.empty": ("没有可汇总的发票", "No invoices to summarise"),
    # 待复核 kinds
    "issue.failed": ("读取失败", "File failed"),
    "issue.skipped": ("已跳过", "File skipped"),
    "issue.error": ("缺少内容", "Missing data"),
    "issue.duplicate": ("重复发票", "Duplicate"),
    "issue.check": ("校验未通过", "Check failed"),
    "issue.low_confidence": ("低置信度", "Low confidence"),
    "issue.other_buyer": ("抬头不是本公司", "Made out to another buyer"),
    "issue.no_buyer": ("无法确认抬头", "Buyer unknown"),
    "issue.no_date": ("无开票日期", "No issue date"),
    "reason.low_confidence": ("置信度 {confidence:.2f}（来源 {source}）", "confidence {confidence:.2f} ({source})"),
    "reason.other_buyer": ("购买方为 {buyer}，本公司为 {company}", "buyer is {buyer}, the company is {company}"),
    "reason.no_buyer": ("没有读到购买方名称或税号", "neither the buyer's name nor tax id was read"),
    "reason.no_date": ("没有开票日期，不在按日期筛选的台账中", "no issue date: left out of the date-filtered ledger"),
    # 说明
    "about.key": ("项目", "Item"),
    "about.value": ("内容", "Value"),
    "about.generated": ("生成时间", "Generated at"),
    "about.version": ("程序版本", "Program version"),
    "about.inputs": ("输入", "Input"),
    "about.filters": ("筛选", "Filters"),
    "about.group_by": ("分组", "Grouped by"),
    "about.company": ("本公司", "Company"),
    "about.language": ("语言", "Language"),
    "about.files": ("文件数", "Files"),
    "about.invoices": ("台账发票数", "Invoices in the ledger"),
    "about.counted": ("计入合计", "Counted in totals"),
    "about.duplicates": ("重复（未计入）", "Duplicates (left out)"),
    "about.red": ("红字发票", "Red invoices"),
    "about.failed": ("失败/跳过的文件", "Files failed or skipped"),
    "about.filtered_out": ("被筛选排除的发票", "Invoices left out by the filters"),
    "about.review": ("待复核条目", "Items to review"),
    "about.low_confidence": ("低置信度阈值", "Low-confidence threshold"),
    "about.totals": ("合计口径", "How totals are made"),
    "about.totals_text": (
        "合计只含“计入合计”为“是”的行：重复发票不计入，红字发票以负数冲减。汇总表为公式，修改台账后自动更新。",
        "Totals count only rows whose Counted is yes: duplicates are left out, red invoices net out as negative "
        "amounts. The summary is made of formulas that follow edits to the ledger.",
    ),
    "about.none": ("无", "none"),
    "about.not_set": ("未设置（不检查抬头）", "not set (buyer not checked)"),
    # review report
    "report.title": ("发票复核报告", "Invoice review report"),
    "report.only_review": ("只看待复核", "Needs review only"),
    "report.search": ("搜索号码、销售方、文件…", "Search number, seller, file…"),
    "report.invoices": ("张发票", "invoices"),
    "report.needs_review": ("张待复核", "need review"),
    "report.problem_files": ("个文件读取失败或跳过", "files failed or skipped"),
    "report.counted_total": ("计入合计", "counted total"),
    "report.shown": ("显示", "shown"),
    "report.no_image": ("没有页面图像（{fmt}）", "No page image ({fmt})"),
    "report.picture.pdf": ("PDF 页面", "PDF page"),
    "report.picture.ofd": ("OFD 页面（按文件内容绘制）", "OFD page, drawn from the package"),
    "report.picture.image": ("原图（无识别框）", "The image as it is (no boxes)"),
    "report.picture.straightened": ("OCR 识别时的校正页面", "The straightened page that OCR read"),
    "report.picture.xml": ("据 XML 数据生成的版式，非原件", "Rendered from the XML data, not a scan"),
    "report.field": ("字段", "Field"),
    "report.value": ("值", "Value"),
    "report.from": ("来源", "From"),
    "report.items": ("明细 {n} 行", "{n} line items"),
    "report.files_section": ("读取失败或跳过的文件", "Files that failed or were skipped"),
    "report.all_good": ("全部通过，无需复核", "All clear: nothing to review"),
    "report.generated": ("生成于 {when}，office-agent {version}", "Made {when} by office-agent {version}"),
    "report.page": ("第 {page} 页", "page {page}"),
    "filter.year": ("{year}年", "year {year}"),
    "filter.from": ("自 {date}", "from {date}"),
    "filter.to": ("至 {date}", "to {date}"),
    "filter.category": ("类别：{names}", "category: {names}"),
    "filter.group": ("{group}：{names}", "{group}: {names}"),
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "digital_general": ("数电普票", "Digital general"),
    "digital_special": ("数电专票", "Digital special"),
    "vat_electronic_general": ("电子普票", "VAT e-general"),
    "vat_electronic_special": ("电子专票", "VAT e-special"),
    "vat_special": ("增值税专票", "VAT special"),
    "vat_general": ("增值税普票", "VAT general"),
    "railway_ticket": ("铁路客票", "Railway ticket"),
    "flight_itinerary": ("航空行程单", "Flight itinerary"),
    "ride_itinerary": ("网约车行程单", "Ride itinerary"),
    "receipt": ("收据", "Receipt"),
    "other": ("其他", "Other"),
}

CHECK_NAMES: dict[str, tuple[str, str]] = {
    "amount_plus_tax": ("金额+税额=价税合计", "amount + tax = total"),
    "items_sum": ("明细金额合计", "line amounts sum"),
    "amount_in_words": ("大写金额", "amount in words"),
    "qr_agrees": ("二维码一致", "QR code agrees"),
    "buyer_tax_id_check": ("购买方税号校验", "buyer tax id"),
    "seller_tax_id_check": ("销售方税号校验", "seller tax id"),
    "line_tax": ("逐行税额", "tax per line"),
    "date_sane": ("开票日期合理", "issue date plausible"),
    "buyer_is_company": ("抬头为本公司", "buyer is the company"),
    # expense-policy rules (office_agent/rules): policy.<section of rules.yaml>
    "policy.hotel": ("超住宿标准", "hotel over the nightly cap"),
    "policy.meal": ("超餐费标准", "meals over the cap"),
    "policy.taxi": ("用车时段不符", "taxi outside the allowed hours"),
    "policy.weekend": ("周末/节假日支出", "weekend or holiday spend"),
    "policy.age": ("超过报销时限", "claimed too late"),
    "policy.consecutive": ("连号发票", "consecutive invoice numbers"),
    "policy.buyer": ("抬头不符（制度）", "buyer not as the policy requires"),
    "policy.claimed_before": ("重复报销", "claimed before"),
}

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "invoice_code": ("发票代码", "invoice code"),
    "invoice_number": ("发票号码", "invoice number"),
    "issue_date": ("开票日期", "issue date"),
    "check_code": ("校验码", "check code"),
    "buyer_name": ("购买方", "buyer"),
    "buyer_tax_id": ("购买方税号", "buyer tax id"),
    "seller_name": ("销售方", "seller"),
    "seller_tax_id": ("销售方税号", "seller tax id"),
    "amount_without_tax": ("金额", "amount"),
    "tax_amount": ("税额", "tax"),
    "total_amount": ("价税合计", "total"),
    "total_amount_in_words": ("大写金额", "total in words"),
    "title": ("标题", "title"),
    "drawer": ("开票人", "drawer"),
    "remarks": ("备注", "remarks"),
    "items": ("明细", "line items"),
}


def t(key: str, lang: Lang = "zh", **fmt: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``fmt``."""
    zh, en = _TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def kind_name(kind: str, lang: Lang = "zh") -> str:
    names = KIND_NAMES.get(kind)
    return kind if names is None else names[1 if lang == "en" else 0]


def check_name(name: str, lang: Lang = "zh") -> str:
    names = CHECK_NAMES.get(name)
    return name if names is None else names[1 if lang == "en" else 0]


def field_name(name: str, lang: Lang = "zh") -> str:
    names = FIELD_NAMES.get(name)
    return name if names is None else names[1 if lang == "en" else 0]


def category_name(category: str | None, lang: Lang = "zh") -> str:
    """A category as shown: the Chinese name, or its English name from categories.yaml."""
    if not category:
        return t("uncategorised", lang)
    if lang == "en":
        return load_category_rules().english.get(category, category)
    return category


def category_order() -> list[str]:
    """Categories in the order of categories.yaml (the order the summary lists them)."""
    return [r.name for r in load_category_rules().rules]
