"""Typed models for policy documents → checklists: ingest → extract → generate all speak these, never dicts.

Offsets: every :class:`Location` and :class:`Citation` points into :attr:`PolicyDocument.text`, the document's
extracted text (blocks joined by newlines). ``doc.text[c.start:c.end] == c.quote`` holds for every citation the
extractor writes; :func:`office_agent.policy.extract.llm.validate_citation` checks it for anything else (an LLM).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from office_agent.models import Status


class DocKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"
    IMAGE = "image"  # a photographed or scanned guide, read by OCR


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"


class DocLimits(BaseModel):
    """Bounds for one policy document, so a huge or hostile file costs time and memory in proportion, no more."""

    max_file_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000  # PDF pages read; beyond this the rest is left out with a warning
    max_chars: int = 20_000_000  # extracted text kept per document
    max_table_pages: int = 300  # pages on which pdfplumber looks for ruled tables (the slow part of a PDF)
    # hostile input (docs/checklists.md, "Limits"): each bound ends a file with a reason, never the run
    max_ocr_pages: int = 60  # pages of a scan (image frames, PDF pages without text) read by OCR, ~1 s each
    max_image_pixels: int = 80_000_000  # per image or frame, refused before decoding (decompression bombs)
    zip_max_members: int = 2_000  # members of a DOCX package (a long report has a few hundred)
    zip_max_total_bytes: int = 256 * 1024 * 1024  # all members of a DOCX, uncompressed
    zip_member_bytes: int = 64 * 1024 * 1024  # one DOCX member, uncompressed
    zip_max_ratio: float = 200.0  # uncompressed / compressed per member; Word's XML compresses ~5-30x
    html_max_bytes: int = 32 * 1024 * 1024  # an HTML page (a portal page is well under 1 MiB)
    html_max_elements: int = 200_000  # opening tags of an HTML page (a portal page has a few thousand)
    html_max_depth: int = 256  # nesting of div/table/ul/… (a portal page nests 20-40 deep; libxml2's XML bound)
    file_timeout_s: float | None = 300.0  # a guide still being read after this long is abandoned (pool runs)
    worker_memory_bytes: int | None = None  # address space a reading worker may add; None: RAM / 4, ≥ 2 GiB


class Location(BaseModel):
    """Where a block sits: the file, its page (PDF) and the headings above it, and its offsets in ``text``."""

    model_config = ConfigDict(frozen=True)

    file: str
    page: int | None = None
    section: tuple[str, ...] = ()
    start: int
    end: int

    def section_label(self) -> str:
        return " › ".join(self.section)


class Block(BaseModel):
    """One structural unit: a heading, a paragraph, a list item (with its numbering marker) or a table row."""

    kind: BlockKind
    text: str  # without the numbering marker; exactly ``doc.text[location.start:location.end]``
    marker: str | None = None  # "一、", "（一）", "1.", "①", "第六条", "-", "(a)" …
    level: int = 0  # heading depth (1 = top) or numbering rank; 0 for plain paragraphs
    location: Location
    parent: int | None = None  # list items: the index of the enclosing list item or lead-in paragraph
    cells: list[str] = Field(default_factory=list)  # table rows: the cells (text is "a | b | c")
    header: list[str] = Field(default_factory=list)  # table rows: the table's header cells


class PolicyDocument(BaseModel):
    """What ingestion hands to extraction: the text and its structure, with locations."""

    source: str
    sha256: str
    kind: DocKind
    title: str | None = None
    text: str = ""
    blocks: list[Block] = Field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = Field(default_factory=list)

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]


class ItemKind(StrEnum):
    MATERIAL = "material"
    ELIGIBILITY = "eligibility"
    STEP = "step"
    WHERE = "where"  # where to apply, online entry
    HOURS = "hours"  # 办理时间: when the office is open
    CONTACT = "contact"  # 咨询电话 / 咨询方式
    FEE = "fee"
    TIME = "time"  # processing time (承诺时限 / 法定时限)
    VALIDITY = "validity"
    NOTE = "note"


ITEM_KIND_TITLES: dict[ItemKind, tuple[str, str]] = {
    ItemKind.MATERIAL: ("所需材料", "Required materials"),
    ItemKind.ELIGIBILITY: ("申请条件", "Eligibility"),
    ItemKind.STEP: ("办理步骤", "Steps"),
    ItemKind.WHERE: ("办理地点 / 网上入口", "Where to apply"),
    ItemKind.HOURS: ("办理时间", "Opening hours"),
    ItemKind.CONTACT: ("咨询电话", "Enquiries"),
    ItemKind.FEE: ("收费标准", "Fees"),
    ItemKind.TIME: ("办理时限", "Processing time"),
    ItemKind.VALIDITY: ("有效期", "Validity"),
    ItemKind.NOTE: ("注意事项", "Notes"),
}


class ConditionKind(StrEnum):
    AGE_UNDER = "age_under"  # value: the age limit (under 16 → 16)
    AGE_AT_LEAST = "age_at_least"  # value: the age limit (16 and over → 16)
    FIRST_TIME = "first_time"
    RENEWAL = "renewal"  # 换发, expiring, pages used up
    LOST = "lost"  # 补发, lost or stolen
    MILITARY = "military"  # 现役军人, active duty
    LOCAL = "local"  # 本市户籍, Hangzhou household registration
    NONLOCAL = "nonlocal"  # 非本市户籍, 居住证 holders
    AGENT = "agent"  # 代办, someone applies on the applicant's behalf
    STATE_EMPLOYEE = "state_employee"  # 国家工作人员
    NAME_CHANGE = "name_change"
    ONLINE = "online"
    OTHER = "other"  # a condition the filter cannot decide: always kept, shown as "depends on"


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ConditionKind
    text: str  # the phrase as written in the document
    value: int | None = None
    negated: bool = False  # "未满16周岁的免交" → the item is for those NOT under 16
    group: int = 0  # conditions of one clause are alternatives ("换发、补发的"): any one is enough


class Applicability(StrEnum):
    APPLIES = "applies"  # unconditional, or every condition is known to hold
    DEPENDS = "depends"  # a condition the question does not settle: kept, with the condition shown
    EXCLUDED = "excluded"  # a condition the question rules out: left out of the checklist


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    page: int | None = None
    section: str = ""
    quote: str
    start: int
    end: int

    def label(self) -> str:
        where = self.file.rsplit("/", 1)[-1]
        if self.page is not None:
            where += f" p.{self.page}"
        if self.section:
            where += f" § {self.section}"
        return where


class ItemOrigin(StrEnum):
    RULES = "rules"
    LLM = "llm"


class Necessity(StrEnum):
    """How a guide marks a material: 必要 (required), 非必要 (optional), 容缺 (may be handed in after acceptance)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    WAIVABLE = "waivable"  # 容缺受理: the case is accepted without it, it is brought later


class ChecklistItem(BaseModel):
    kind: ItemKind
    text: str
    original: bool | None = None  # 原件 / original required
    copy_required: bool | None = None  # 复印件 / photocopy required
    copies: int | None = None
    original_copies: int | None = None  # 原件份数, where the guide gives originals and copies apart
    copy_copies: int | None = None  # 复印件份数
    who: str | None = None  # who must bring or sign it (提供人)
    necessity: Necessity | None = None  # as the guide marks it; None: the guide does not say
    source: str | None = None  # 来源渠道: "申请人自备", "政府部门核发" …
    medium: str | None = None  # 材料形式 / 提交形式: "纸质", "电子", "纸质或电子"
    guidance: str | None = None  # 填报须知 / 填写说明 / 受理标准: how to fill it in, what is accepted
    alternatives: list[str] = Field(default_factory=list)  # "A或B", "以下材料之一": any one of these will do
    conditions: list[Condition] = Field(default_factory=list)
    applicability: Applicability = Applicability.APPLIES
    citations: list[Citation] = Field(default_factory=list)
    origin: ItemOrigin = ItemOrigin.RULES

    def condition_text(self) -> str:
        return "；".join(dict.fromkeys(c.text for c in self.conditions))


class Procedure(BaseModel):
    """One procedure found in one document: the whole document, or one of the sections of a guide that holds
    several (首次申领 / 换领 / 补领; 差旅费 / 招待费), each with its own items plus the sections they share."""

    name: str
    file: str
    items: list[ChecklistItem] = Field(default_factory=list)
    citation: Citation | None = None  # the heading that names it
    score: float = 0.0  # retrieval score for the question (0 without a question)
    reason: str | None = None  # why the question picked it ("name holds 护照、首次; BM25 4.21")
    conditions: list[Condition] = Field(default_factory=list)  # from its heading ("补领护照" → lost)
    extent: tuple[int, int] | None = None  # its section in ``doc.text`` when the document holds several procedures

    def of_kind(self, kind: ItemKind) -> list[ChecklistItem]:
        return [i for i in self.items if i.kind == kind]


class Profile(BaseModel):
    """What the question says about the applicant. ``None``: the question does not say."""

    age: int | None = None
    adult: bool | None = None
    first_time: bool | None = None
    renewal: bool | None = None
    lost: bool | None = None
    military: bool | None = None
    local: bool | None = None
    agent: bool | None = None
    state_employee: bool | None = None
    name_change: bool | None = None
    facts: list[str] = Field(default_factory=list)  # the phrases of the question that set the above

    def is_empty(self) -> bool:
        return not self.facts


class FileOutcome(BaseModel):
    source: str
    status: Status
    reason: str | None = None
    procedures: int = 0


class DroppedItem(BaseModel):
    """An item refused by validation (an LLM's item without a valid citation), reported, never shown as valid."""

    text: str
    reason: str


class Checklist(BaseModel):
    question: str | None = None
    profile: Profile = Field(default_factory=Profile)
    procedures: list[Procedure] = Field(default_factory=list)
    # other guides the question also matches, best first, without items: the answer is ``procedures``' file
    others: list[Procedure] = Field(default_factory=list)
    excluded: list[ChecklistItem] = Field(default_factory=list)  # ruled out by the question's conditions
    files: list[FileOutcome] = Field(default_factory=list)
    dropped: list[DroppedItem] = Field(default_factory=list)
    no_match: bool = False
    coverage: list[str] = Field(default_factory=list)  # what the documents cover (said when nothing matched)
    warnings: list[str] = Field(default_factory=list)

    def items(self, kind: ItemKind | None = None) -> list[ChecklistItem]:
        return [i for p in self.procedures for i in p.items if kind is None or i.kind == kind]
