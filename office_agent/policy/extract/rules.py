"""The vocabulary of policy documents: which heading names which kind of item, what a condition looks like,
how originals, copies and counts are written. Chinese first, English and Vietnamese (the real test documents) too.

Everything here is a pure function over text, so it can be tested (and property-tested) on strings alone.
"""

from __future__ import annotations

import re

from office_agent.policy_models import Condition, ConditionKind, ItemKind

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}  # fmt: skip
NUM = r"(?:\d{1,3}|[零〇一二两三四五六七八九十]{1,3})"


def cn_number(text: str) -> int | None:
    """``"16"`` / ``"十六"`` / ``"二十"`` / ``"两"`` → int; anything else → None (never raises)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if len(text) == 1:
        return _CN_DIGITS[text]
    return None


# Heading keywords → kind. Checked in this order; the first kind with a hit wins.
_HEADING_KINDS: list[tuple[ItemKind, re.Pattern[str]]] = [
    (ItemKind.NOTE, re.compile(r"注意|提示|温馨|备注|特别说明|\bnotes?\b|\btips?\b|ghi chú|lưu ý", re.I)),
    (ItemKind.CONTACT, re.compile(r"咨询|联系电话|联系方式|监督投诉|投诉电话|\bcontact\b|enquir", re.I)),
    (ItemKind.HOURS, re.compile(r"办理时间|办公时间|受理时间|工作时间|opening hours|office hours|giờ làm việc", re.I)),
    (ItemKind.FEE, re.compile(r"收费|费用|工本费|标准|\bfees?\b|\bcosts?\b|lệ phí|\bphí\b", re.I)),
    (ItemKind.VALIDITY, re.compile(r"有效期|有效时间|\bvalid(ity)?\b|\bexpir|thời hạn sử dụng", re.I)),
    (
        ItemKind.TIME,
        re.compile(
            r"时限|办理时间|办结|承诺时间|工作日|processing time|how long|thời hạn giải quyết"
            r"|thời gian giải quyết",
            re.I,
        ),
    ),
    (
        ItemKind.MATERIAL,
        re.compile(
            r"材料|证件|所需|携带|需带|提交|资料|单据|what (do )?you (will )?need|documents?"
            r"|what to bring|hồ sơ cần|thành phần hồ sơ|giấy tờ",
            re.I,
        ),
    ),
    (
        ItemKind.ELIGIBILITY,
        re.compile(
            r"条件|对象|适用范围|资格|谁可以|eligib|who can|requirements?|điều kiện"
            r"|đối tượng",
            re.I,
        ),
    ),
    (
        ItemKind.WHERE,
        re.compile(
            r"地点|地址|窗口|网上|在线|入口|受理机关|受理机构|办理机构|实施机关|实施主体|办理渠道|where|online|location"
            r"|acceptance facilit|địa điểm|cơ quan thực hiện|hình thức nộp|cách thức",
            re.I,
        ),
    ),
    (
        ItemKind.STEP,
        re.compile(
            r"流程|步骤|程序|审批|办理方式|申请方式|\bsteps?\b|process|how to apply|quy trình|trình tự"
            r"|bước",
            re.I,
        ),
    ),
]


def classify_heading(title: str) -> ItemKind | None:
    for kind, pattern in _HEADING_KINDS:
        if pattern.search(title):
            return kind
    return None


# Sentences outside any classified section (laws, FAQ pages): only clear statements count.
_SUBMIT = re.compile(
    r"(?:应当|应|须|需|需要|必须|还应当|还需|并)?(?:提交|提供|交验|携带|出示|递交)(?:本人的|以下|下列)?"
)
_SENTENCE_KINDS: list[tuple[ItemKind, re.Pattern[str]]] = [
    (ItemKind.VALIDITY, re.compile(r"有效期(?:为|是)|valid for \d+ years|有效期\S{0,12}年")),
    (
        ItemKind.TIME,
        re.compile(
            rf"(?:自|在)?\S{{0,20}}{NUM}\s*(?:个)?(?:工作)?日内(?:签发|发放|办结|出具|作出)"
            r"|within \d+ (?:business |working )?days|takes? (?:up to )?\d+ weeks"
        ),
    ),
    (ItemKind.FEE, re.compile(r"工本费|收费标准|\d+(?:\.\d+)?\s*元|\$\s?\d+|fee is|fees? (?:are|is)")),
    (
        ItemKind.WHERE,
        re.compile(
            r"向[^，。；]{0,40}(?:机关|机构|使馆|领馆|部门|窗口|中心)[^，。；]{0,8}(?:申请|提出)"
            r"|(?:must|can) apply (?:in person|online)|apply in person"
        ),
    ),
    (
        ItemKind.ELIGIBILITY,
        re.compile(r"to be eligible|you must be|有资格|符合下列条件|本(?:办法|规定|制度|细则)适用于"),
    ),
]


_PENALTY = re.compile(r"罚款|拘留|刑事责任|伪造|变造|骗取|非法|贿赂|处分|没收|penalt|fraud", re.I)


def classify_sentence(text: str, materials: bool = True) -> ItemKind | None:
    """The kind of item a sentence states, if it states one clearly; sentences about penalties state none."""
    if _PENALTY.search(text):
        return None
    if materials and (submit_list(text) or english_objects(text)):
        return ItemKind.MATERIAL
    for kind, pattern in _SENTENCE_KINDS:
        if pattern.search(text):
            return kind
    return None


_ENUM_SPLIT = re.compile(r"、|,|以及|及其|和|与|或者|\band\b|\bor\b")
_ENUM_END = re.compile(r"[。；;，]|等(?:材料|证件|资料)")
_GENERIC = re.compile(r"^(?:相关|相应|有关|其他|其它)?(?:材料|资料|证件|文件)[:：]?$|下表|下列|以下|如下|所列|上述")


_CLAUSE_HEAD = re.compile(r"(?:以下|下列|如下)?[^：:，。；、]{0,8}[:：]\s*(?=[（(]?[一二三四五六七八九十\d①-⑩])")
_ENUM_MARK = re.compile(r"[（(][一二三四五六七八九十\d]{1,3}[)）]|(?<!\d)\d{1,2}\s*[.、．](?!\d)|[①-⑩]")


def _enumerated(sentence: str, start: int) -> list[tuple[int, int]]:
    """The items of an inline enumeration "（一）A；（二）B。" from ``start``: spans of A and B (naming documents)."""
    marks = list(_ENUM_MARK.finditer(sentence, start))
    spans = []
    for k, mark in enumerate(marks):
        stop = marks[k + 1].start() if k + 1 < len(marks) else len(sentence)
        item = sentence[mark.end() : stop]
        cut = re.search(r"[；;。]", item)
        end = mark.end() + (cut.start() if cut else len(item.rstrip()))
        begin = mark.end() + len(item) - len(item.lstrip())
        if begin < end and looks_like_material(sentence[begin:end]):
            spans.append((begin, end))
    return spans


def submit_list(sentence: str) -> list[tuple[int, int]]:
    """Spans of the things a sentence says to submit: "应当提交本人的居民身份证、户口簿、近期免冠照片" → three spans.

    Offsets are into ``sentence``. Only Chinese "提交/提供/交验/携带/出示 …" lists are split; an English list
    is already a list in the document.
    """
    m = _SUBMIT.search(sentence)
    if not m or not re.search(r"[\u4e00-\u9fff]", sentence):
        return []
    rest_start = m.end()
    head = _CLAUSE_HEAD.match(sentence, rest_start)
    if head:  # "并提交以下证明：（一）申请人的身份证明；（二）…": the clause head is no material, its items are
        return _enumerated(sentence, head.end())
    end_match = _ENUM_END.search(sentence, rest_start)
    rest_end = end_match.start() if end_match else len(sentence)
    spans: list[tuple[int, int]] = []
    pos = rest_start
    for part in [*_ENUM_SPLIT.finditer(sentence, rest_start, rest_end), None]:
        stop = part.start() if part is not None else rest_end
        chunk = sentence[pos:stop]
        lead = len(chunk) - len(chunk.lstrip("：: 的"))
        if _GENERIC.search(chunk.strip("：: 的")):
            return []  # "提交以下材料：" leads into a list; it names nothing itself
        if chunk.strip("：: 的") and looks_like_material(chunk):
            spans.append((pos + lead, stop))
        pos = part.end() if part is not None else rest_end
    return spans if len(spans) >= 1 and all(e - s <= 30 for s, e in spans) else []


_EN_OBJECT = re.compile(
    r"\b(?:submit|provide|bring|present|show|sign|have|need)\s+(?:both\s+)?(?:(?:a|an|the|your|their|his|her|one)\s+)?"
    r"((?:(?!(?:that|which|to|and|or|if|in|of|for)\b)[\w'-]+\s){0,3}?"
    r"(?:documents?|ID|identification(?: documents?)?|statement|form(?:\s+DS-\d+)?|evidence|photos?|photograph"
    r"|certificate|application|proof of [A-Za-z.]+(?: [a-z]+)?))\b",
    re.I,
)


def english_objects(sentence: str) -> list[tuple[int, int]]:
    """Spans of what an English sentence says to submit, bring, sign or have ("Provide a signed statement")."""
    return [m.span(1) for m in _EN_OBJECT.finditer(sentence)]


_MATERIAL_NOUN = re.compile(
    r"证|照片|相片|像|表|簿|书|证明|材料|单(?!位)|复印件|原件|护照|户口|身份|发票|合同|单据|回执|函|通知|票|凭证|清单|协议|卡|文件|资料|批件|批文|说明"
    r"|执照|报告|意见|图纸|[^试]图$|方案|章程|简章|存单|措施|制度|记录|声明|承诺|公告|结果|名单|证书|样本|样品|档案|账|介绍信|证明信"
    r"|\bforms?\b|photo|\bid\b|passport|certificate|evidence|documents?|proof|statement|photocopy|application|ds-\d+"
    r"|tờ khai|ảnh|hộ chiếu|giấy|bản sao|chứng minh|thẻ|căn cước|đơn",
    re.I,
)


def looks_like_material(text: str) -> bool:
    return bool(_MATERIAL_NOUN.search(text))


_GROUP_END = re.compile(r"(?:[:：]|including:?|包括[:：]?|如下[:：]?|下列材料[:：]?|以下材料[:：]?)\s*$", re.I)


def is_group_header(text: str) -> bool:
    """A lead-in for the items under it ("Personal documents including:", "还需提交以下材料：")."""
    return bool(_GROUP_END.search(text))


_MATERIAL_LEAD = re.compile(
    r"出示|携带|提交|提供|交验|带齐|xuất trình|mang theo|\bbring\b|\bpresent\b|\bsubmit\b", re.I
)


def is_material_lead(text: str) -> bool:
    """A lead-in whose items are things to bring, whatever section it stands in ("Khi đến nộp phải xuất trình:")."""
    return is_group_header(text) and bool(_MATERIAL_LEAD.search(text))


_ATTRIBUTE_LINE = re.compile(r"^(?:Số lượng|数量|份数|Quantity|Copies|File đính kèm|附件|下载)\s*[:：]", re.I)


def is_attribute_line(text: str) -> bool:
    """A detail line about an item ("Số lượng: Bản chính: 1"), never an item of its own."""
    return bool(_ATTRIBUTE_LINE.match(text))


_CHROME = re.compile(
    r"^(?:last updated|share this page|top|back to top|print|skip to|更新时间|发布时间|来源[:：]|浏览次数"
    r"|打印本页|关闭窗口|【打印】|返回顶部)",
    re.I,
)


def is_chrome(text: str) -> bool:
    """Page furniture left in scraped text ("LAST UPDATED: …", "SHARE THIS PAGE:")."""
    return bool(_CHROME.match(text))


# --- conditions -------------------------------------------------------------------------------------------------

_AGE_UNDER = [
    re.compile(rf"(?:未满|不满|未达到|未达|低于|小于|不足)\s*({NUM})\s*(?:周)?岁"),
    re.compile(rf"({NUM})\s*(?:周)?岁以下"),
    re.compile(r"\bunder (?:the age of )?(\d{1,2})\b|\byounger than (\d{1,2})\b", re.I),
    re.compile(r"chưa đủ (\d{1,2}) tuổi", re.I),
]
_AGE_AT_LEAST = [
    re.compile(rf"(?:年满|已满|满)\s*({NUM})\s*(?:周)?岁"),
    re.compile(rf"({NUM})\s*(?:周)?岁(?:及)?以上"),
    re.compile(r"\b(\d{1,2}) (?:and|or) (?:over|older)\b|\bages? (\d{1,2})\s*-\s*\d{1,2}\b", re.I),
    re.compile(r"từ (\d{1,2}) tuổi trở lên", re.I),
]
_AGE_RANGE_UPPER = re.compile(r"\bages? \d{1,2}\s*-\s*(\d{1,2})\b|(\d{1,2})\s*-\s*(\d{1,2})\s*周?岁", re.I)
_KEYWORDS: list[tuple[ConditionKind, re.Pattern[str], int | None]] = [
    (ConditionKind.AGE_UNDER, re.compile(r"未成年|儿童|婴儿|\bminors?\b|\bchild(?:ren)?\b|trẻ em", re.I), 18),
    (ConditionKind.AGE_AT_LEAST, re.compile(r"成年人|\badults?\b", re.I), 18),
    (ConditionKind.FIRST_TIME, re.compile(r"首次|第一次|初次|first[- ]time|first passport|lần đầu", re.I), None),
    (
        ConditionKind.RENEWAL,
        re.compile(
            r"换发|换领|换证|到期换|有效期(?:即将)?届满|签证页\S{0,4}(?:用完|使用完毕)|损毁|损坏"
            r"|\brenew|\bexpired\b|từ lần thứ hai",
            re.I,
        ),
        None,
    ),
    (
        ConditionKind.LOST,
        re.compile(r"补发|补领|补办|遗失|丢失|被盗|失窃|\blost\b|\bstolen\b|trường hợp mất", re.I),
        None,
    ),
    (ConditionKind.MILITARY, re.compile(r"现役军人|军人|武警|active[- ]duty|military|armed forces", re.I), None),
    (
        ConditionKind.NONLOCAL,
        re.compile(r"非本市户籍|非杭州(?:市)?户籍|外地户籍|外省市?户籍|非本地户籍|持(?:有)?居住证"),
        None,
    ),
    (ConditionKind.LOCAL, re.compile(r"本市户籍|杭州(?:市)?户籍|本地户籍|户籍在本市|本市常住户口"), None),
    (ConditionKind.AGENT, re.compile(r"代办|委托他人|代为办理|代理人|on (?:your|their) behalf", re.I), None),
    (ConditionKind.STATE_EMPLOYEE, re.compile(r"国家工作人员|公职人员|登记备案人员|government employees?", re.I), None),
    (
        ConditionKind.NAME_CHANGE,
        re.compile(r"姓名变更|变更姓名|更改姓名|name change|changed? (?:your|their) name", re.I),
        None,
    ),
    (ConditionKind.ONLINE, re.compile(r"网上申请|在线申请|网上办理|nộp hồ sơ trực tuyến|apply online", re.I), None),
]
_NEGATION = re.compile(
    r"无需|不需|免于|免交|免予|可免|不用|除外|不必|无法|不能|except|not (?:required|needed|able)|cannot"
    r"|can't|unable|không cần",
    re.I,
)
_MAX_CONDITION_TEXT = 30
_OR = re.compile(r"[、/]|或|\bor\b|和|及", re.I)
_CLAUSE_SPLIT = re.compile(r"[，,。；;：:（）()\[\]【】]|(?<![A-Z])\.(?:\s|$)|\bif\b|\bwhen\b")
_OTHER_CONDITION = re.compile(
    r"^(?:如|若|如果|凡|对于|对|属于|因)\S{2,30}的|\S{2,20}的(?:，|,)?(?:还|另|须|需)|^(?:if|when|for) ", re.I
)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``text[start:end]``, bounded by punctuation and brackets."""
    left = max((m.end() for m in _CLAUSE_SPLIT.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_SPLIT.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def _negated(text: str, start: int, end: int, left: int, right: int) -> bool:
    """A negation right before the condition ("not able to renew") or right after it ("未满16周岁的免交")."""
    before = text[max(left, start - 15) : start]
    after = text[end : min(right, end + 10)]
    return bool(_NEGATION.search(before) or _NEGATION.search(after))


def _age(match: re.Match[str]) -> int | None:
    return next((cn_number(g) for g in match.groups() if g), None)


_Found = tuple[int, int, ConditionKind, int | None]


def _drop_vague_ages(text: str, found: list[_Found]) -> list[_Found]:
    """ "Children under 16": the explicit age says more than "children" (under 18); keep only the explicit one."""
    ages = (ConditionKind.AGE_UNDER, ConditionKind.AGE_AT_LEAST)
    explicit = [(s, e) for s, e, k, _ in found if k in ages and re.search(r"\d|[十五六七八九]", text[s:e])]
    if not explicit:
        return found
    clauses = {_clause_bounds(text, s, e) for s, e in explicit}
    return [f for f in found if not (f[2] in ages and (f[0], f[1]) not in explicit
                                     and _clause_bounds(text, f[0], f[1]) in clauses)]  # fmt: skip


def _find_ages(text: str, taken: list[tuple[int, int]]) -> list[_Found]:
    found: list[_Found] = []
    for patterns, kind in ((_AGE_UNDER, ConditionKind.AGE_UNDER), (_AGE_AT_LEAST, ConditionKind.AGE_AT_LEAST)):
        for pattern in patterns:
            for m in pattern.finditer(text):
                value = _age(m)
                if value is not None and not any(s <= m.start() < e for s, e in taken):
                    if kind == ConditionKind.AGE_UNDER and "以下" in m.group(0):
                        value += 1  # "16周岁以下" includes 16
                    found.append((m.start(), m.end(), kind, value))
                    taken.append((m.start(), m.end()))
    for m in _AGE_RANGE_UPPER.finditer(text):
        upper = next((cn_number(g) for g in reversed(m.groups()) if g), None)
        if upper is not None:
            found.append((m.start(), m.end(), ConditionKind.AGE_UNDER, upper + 1))
            lower = re.search(r"(\d{1,2})", m.group(0))
            if lower and not any(s <= m.start() < e for s, e in taken):
                found.append((m.start(), m.end(), ConditionKind.AGE_AT_LEAST, int(lower.group(1))))
            taken.append((m.start(), m.end()))
    return found


def parse_conditions(text: str, group_base: int = 0) -> list[Condition]:
    """The conditions a text attaches to an item. Conditions found in one clause share a group (alternatives)."""
    taken: list[tuple[int, int]] = []
    found = _find_ages(text, taken)
    for kind, pattern, value in _KEYWORDS:
        for m in pattern.finditer(text):
            if not any(s <= m.start() < e for s, e in taken):
                found.append((m.start(), m.end(), kind, value))
                taken.append((m.start(), m.end()))
    return _grouped(text, _drop_vague_ages(text, found), group_base)


def _grouped(text: str, found: list[_Found], group_base: int) -> list[Condition]:
    conditions: list[Condition] = []
    previous: tuple[str, int, int] | None = None  # clause, end, group
    group = group_base - 1
    for start, end, kind, value in sorted(found):
        left, right = _clause_bounds(text, start, end)
        clause = text[left:right].strip() or text[start:end]
        if len(clause) > _MAX_CONDITION_TEXT:
            clause = text[start:end]  # a long clause says more than the condition: show the condition itself
        alternative = previous is not None and previous[0] == clause and _OR.search(text[previous[1] : start])
        if not alternative:
            group += 1
        negated = _negated(text, start, end, left, right)
        conditions.append(Condition(kind=kind, text=clause, value=value, negated=negated, group=group))
        previous = (clause, end, group)
    return conditions


def other_condition(text: str) -> str | None:
    """An unrecognised "如…的 / 以…申领的，… / if …" clause: kept as a condition the filter cannot decide."""
    clauses = [c.strip("（）() ") for c in re.split(r"[，,。；;]", text)]
    for k, clause in enumerate(clauses):
        if _OTHER_CONDITION.search(clause):
            return clause
        if k == 0 and len(clauses) > 1 and clauses[1] and 3 <= len(clause) <= 30 and clause.endswith("的"):
            return clause
    return None


# --- material attributes ----------------------------------------------------------------------------------------

_ORIGINAL = re.compile(r"原件|正本|\boriginals?\b|bản chính", re.I)
_COPY = re.compile(r"复印件|复印|副本|影印件|photocopy|\bcopy\b|\bcopies\b|bản sao|bản chụp", re.I)
_COPIES = [
    re.compile(rf"({NUM})\s*[份张本套]"),
    re.compile(rf"一式({NUM})份"),
    re.compile(r"\b(\d{1,2}) (?:copies|photos|photographs)\b", re.I),
    re.compile(r"Bản chính:\s*(\d+)", re.I),
]
_WHO = re.compile(
    r"(申请人本人|申请人|本人|监护人|父母(?:双方|一方)?|法定代理人|代办人|经办人|受托人|出差人|报销人"
    r"|(?:a|one|both) parents?|(?:legal )?guardian|the applicant|người đại diện hợp pháp)",
    re.I,
)


def parse_form(text: str) -> tuple[bool | None, bool | None]:
    """(original required, copy required) as far as the text says."""
    original = True if _ORIGINAL.search(text) else None
    copy = True if _COPY.search(text) else None
    m = re.search(r"Bản chính:\s*(\d+),\s*Bản sao:\s*(\d+)", text, re.I)
    if m:
        original, copy = int(m.group(1)) > 0, int(m.group(2)) > 0
    return original, copy


def parse_copies(text: str) -> int | None:
    for pattern in _COPIES:
        m = pattern.search(text)
        if m:
            value = cn_number(m.group(1))
            if value:
                return value
    return None


def parse_who(text: str) -> str | None:
    m = _WHO.search(text)
    return m.group(1) if m else None
