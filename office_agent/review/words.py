"""The review page's own words, in Chinese and English (the ledger's labels are ``generate.labels``)."""

from __future__ import annotations

from office_agent.generate.labels import Lang

WORDS: dict[str, tuple[str, str]] = {
    "title": ("发票复核", "Invoice review"),
    "invoices": ("张发票", "invoices"),
    "needs_review": ("待复核", "need review"),
    "counted": ("计入合计", "counted"),
    "problem_files": ("个文件读取失败", "files failed"),
    "status": ("状态", "Status"),
    "status.review": ("待复核", "Needs review"),
    "status.ok": ("无问题", "Fine"),
    "status.all": ("全部", "All"),
    "category": ("类别", "Category"),
    "person": ("报销人", "Person"),
    "any": ("全部", "Any"),
    "filter": ("筛选", "Filter"),
    "col.number": ("发票号码", "Number"),
    "col.date": ("日期", "Date"),
    "col.seller": ("销售方", "Seller"),
    "col.total": ("价税合计", "Total"),
    "col.state": ("状态", "State"),
    "badge.review": ("待复核", "Review"),
    "badge.ok": ("正常", "OK"),
    "badge.excluded": ("不计入", "Excluded"),
    "prev": ("上一张", "Previous"),
    "next": ("下一张", "Next"),
    "accept": ("确认无误", "Accept"),
    "edit_hint": ("点击字段或图上的框即可更正", "Click a field, or its box on the page, to correct it"),
    "save": ("保存", "Save"),
    "cancel": ("取消", "Cancel"),
    "correct_field": ("更正", "Correct"),
    "keys": ("键盘：j/↓ 下一张 · k/↑ 上一张 · a 确认 · e 更正 · Esc 取消",
             "Keys: j/↓ next · k/↑ previous · a accept · e correct · Esc cancel"),
    "saved": ("已保存（{s:.2f} 秒），台账随即重新生成", "Saved ({s:.2f} s); the ledger is being rebuilt"),
    "accepted": ("已确认（{s:.2f} 秒），台账随即重新生成", "Accepted ({s:.2f} s); the ledger is being rebuilt"),
    "ledger.none": ("台账：尚未改动", "Ledger: not changed yet"),
    "ledger.pending": ("台账：正在重新生成…", "Ledger: rebuilding…"),
    "ledger.done": ("台账已更新 {when}（{s:.1f} 秒）", "Ledger rebuilt at {when} ({s:.1f} s)"),
    "ledger.error": ("台账未能写入：{e}", "The ledger could not be written: {e}"),
    "empty": ("没有符合筛选条件的发票", "No invoice matches the filters"),
    "ledger_in": ("台账：{path}", "Ledger: {path}"),
    "not_applied": ("条更正未生效（文件已变或已删除）", "corrections not applied (file changed or gone)"),
    "shown": ("显示", "shown"),
}  # fmt: skip


def say(key: str, lang: Lang = "zh", **fmt: object) -> str:
    zh, en = WORDS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text
