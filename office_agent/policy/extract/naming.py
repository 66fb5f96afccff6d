"""What a procedure is called: the guide's 事项名称 field, its title, its first heading — never a section title
("受理条件", "基本信息", "需要申请材料") or the portal's banner ("…政务一体化平台"), which many guides share; the
file name only when nothing else names it. Right-file retrieval leans on these names, so they must be the service's.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from office_agent.policy_models import BlockKind, PolicyDocument

# What names a procedure, best first: the guide's 事项名称 field, its title, its first heading — but never a section
# title ("受理条件", "基本信息") or the portal's banner ("…政务一体化平台"), which many guides share.
_SECTION_TITLE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}\s*[、.．])?\s*"
    r"(?:基本信息|受理条件|申请条件|办理条件|(?:需要)?申请材料|材料清单|办理流程(?:及时限)?|办理地点|办理时间"
    r"|收费(?:标准|情况)?|设定依据|法律依据|常见问题|一次性告知(?:书|单)?|办事指南|服务指南|事项详情|详情"
    r"|办理须知|咨询方式|监督投诉|结果送达|办理结果|承诺时限|法定时限)$"
)
_BANNER = re.compile(r"(?:平台|政务服务网|服务网|门户(?:网站)?|办事大厅|网站|官网|首页|欢迎您?)$")
_NAME_KEY = re.compile(r"^(?:事项名称|服务事项名称|服务名称|事项)\s*[:：]?$")
_NAME_LINE = re.compile(r"^(?:事项名称|服务事项名称|服务名称)\s*[:：]\s*(\S.{1,80})$")
_MAX_NAME = 80


def good_name(text: str) -> bool:
    text = text.strip()
    return 1 < len(text) <= _MAX_NAME and not _SECTION_TITLE.match(text) and not _BANNER.search(text)


def _service_name(doc: PolicyDocument) -> tuple[str, int] | None:
    """The value of the guide's 事项名称 field (a key–value row, a heading with its line, or "事项名称：…")."""
    blocks = doc.blocks
    for k, b in enumerate(blocks[:300]):
        if b.kind == BlockKind.TABLE_ROW:
            for pair in (b.cells, b.header):
                if len(pair) >= 2 and _NAME_KEY.match(pair[0].strip()) and good_name(pair[1]):
                    return pair[1].strip(), k
        elif b.kind == BlockKind.HEADING and _NAME_KEY.match(b.text.strip()):
            nxt = blocks[k + 1] if k + 1 < len(blocks) else None
            if nxt is not None and nxt.kind != BlockKind.HEADING and good_name(nxt.text):
                return nxt.text.strip(), k + 1
        elif (m := _NAME_LINE.match(b.text.strip())) and good_name(m.group(1)):
            return m.group(1).strip(), k
    return None


def name_block(doc: PolicyDocument) -> tuple[str, int | None]:
    """The procedure's name and the block that says it (None: named after the file)."""
    named = _service_name(doc)
    if named is not None:
        return named
    first = next((k for k, b in enumerate(doc.blocks) if b.kind == BlockKind.HEADING), None)
    if doc.title and good_name(doc.title):
        at = next((k for k, b in enumerate(doc.blocks) if b.text.strip() == doc.title.strip()), first)
        return doc.title, at
    heading = next((k for k, b in enumerate(doc.blocks) if b.kind == BlockKind.HEADING and good_name(b.text)), None)
    if heading is not None:
        return doc.blocks[heading].text.strip(), heading
    return PurePath(doc.source).stem, None


def procedure_name(doc: PolicyDocument) -> str:
    return name_block(doc)[0]
