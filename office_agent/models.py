"""The typed models every layer speaks: ingest → extract → generate all depend on this module, never the reverse.

Coordinates: every bounding box is ``(x0, top, x1, bottom)`` in PDF points (1/72 inch) with the origin at the
page's top-left corner, whatever the source format (OFD millimetres are converted on ingest).
Money is always :class:`~decimal.Decimal`; it is turned into a string with two places only on output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]


class Source(StrEnum):
    """Where a field value was read."""

    XML = "xml"
    OFD = "ofd"
    QR = "qr"
    TEXT = "text"
    OCR = "ocr"
    LLM = "llm"
    MANUAL = "manual"  # a person's correction (office_agent.corrections): who and when are in ``detail``


# Richer sources win when two disagree (the embedded XML is what the tax system issued).
SOURCE_RANK: dict[Source, int] = {
    Source.MANUAL: 7,
    Source.XML: 6,
    Source.OFD: 5,
    Source.TEXT: 4,
    Source.QR: 3,
    Source.OCR: 2,
    Source.LLM: 1,
}


class DocFormat(StrEnum):
    """A file's format as detected from its bytes."""

    PDF = "pdf"
    OFD = "ofd"
    XML = "xml"
    ZIP = "zip"
    IMAGE = "image"
    UNKNOWN = "unknown"


class InvoiceKind(StrEnum):
    DIGITAL_GENERAL = "digital_general"  # 数电 电子发票（普通发票）
    DIGITAL_SPECIAL = "digital_special"  # 数电 电子发票（增值税专用发票）
    VAT_ELECTRONIC_GENERAL = "vat_electronic_general"  # 增值税电子普通发票
    VAT_ELECTRONIC_SPECIAL = "vat_electronic_special"  # 增值税电子专用发票
    VAT_SPECIAL = "vat_special"  # paper 增值税专用发票
    VAT_GENERAL = "vat_general"  # paper 增值税普通发票
    RAILWAY_TICKET = "railway_ticket"
    FLIGHT_ITINERARY = "flight_itinerary"
    RIDE_ITINERARY = "ride_itinerary"
    RECEIPT = "receipt"
    OTHER = "other"


class Status(StrEnum):
    """Outcome of one file or record."""

    OK = "ok"  # every key field read and the checks that could run passed
    PARTIAL = "partial"  # a record was made, but fields are missing or a check failed: needs review
    FAILED = "failed"  # no record could be made; ``errors`` says why
    SKIPPED = "skipped"  # deliberately not processed (e.g. an unsupported file type)


class Provenance(BaseModel):
    """Where one field's value came from."""

    model_config = ConfigDict(frozen=True)

    source: Source
    page: int | None = None
    bbox: BBox | None = None
    confidence: float = 1.0
    detail: str | None = None  # e.g. "Doc_0/Attachs/original_invoice.xml:TotalTax-includedAmount"


class Candidate(BaseModel):
    """A raw value for one field, read from one place; the chain normalises and chooses among candidates."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    provenance: Provenance


class Word(BaseModel):
    """A run of text with its box, as laid out on a page."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox


class PageFrame(BaseModel):
    """Where a page read by OCR lies in its file. The recogniser read a copy of the file's pixels that was
    flattened, turned, straightened, scaled (and cut, for two invoices on one sheet); ``to_source`` (a 3 × 3
    homography, row-major) maps that page's points — the frame of its words' and fields' boxes — back onto the
    file: pixels of the upright image frame for images, points of the page (top-left origin) for scanned PDFs.
    """

    width: float  # points
    height: float
    to_source: list[float]  # 9 numbers


class Page(BaseModel):
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = Field(default_factory=list)
    qr_payloads: list[str] = Field(default_factory=list)
    frame: PageFrame | None = None  # OCR pages: how their points map back onto the file


class EmbeddedFile(BaseModel):
    """A file carried inside a document: the XML attachment of a PDF, the invoice XML of an OFD."""

    name: str
    data: bytes


class Document(BaseModel):
    """What ingestion hands to extraction: the pages of one file, and anything structured found inside it."""

    source: str  # the path as given (``bundle.zip!inner/file.pdf`` for archive members)
    sha256: str
    format: DocFormat
    pages: list[Page] = Field(default_factory=list)
    embedded: list[EmbeddedFile] = Field(default_factory=list)
    # Structured key/value candidates found by the reader itself (OFD CustomData / CustomTag).
    candidates: list[Candidate] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    text_garbled: bool = False


class LineItem(BaseModel):
    name: str | None = None
    spec: str | None = None
    unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    tax_rate: str | None = None  # "13%", "免税", "不征税"
    tax_amount: Decimal | None = None


class Extraction(BaseModel):
    """What one extractor read from one document (or page): raw candidates per field, and the line items.

    Candidate ``field`` names are :class:`Invoice` attribute names, plus ``title`` (the printed title) and
    ``qr_type`` (the type code of the QR payload).
    """

    candidates: list[Candidate] = Field(default_factory=list)
    items: list[LineItem] = Field(default_factory=list)
    items_provenance: Provenance | None = None
    page: int = 1
    frame: PageFrame | None = None  # the page's, when it was read by OCR

    def add(self, field: str, value: str | None, provenance: Provenance) -> None:
        """Record a candidate; empty values are dropped, never recorded as ""."""
        if value is not None and str(value).strip():
            self.candidates.append(Candidate(field=field, value=str(value).strip(), provenance=provenance))

    def get(self, field: str) -> str | None:
        for c in self.candidates:
            if c.field == field:
                return c.value
        return None


class Check(BaseModel):
    """The result of one cross-check on a record."""

    name: str
    passed: bool | None  # None: could not be run (a value was missing)
    detail: str = ""


class Alternative(BaseModel):
    """A value that was read for a field but not chosen, where it came from, and why it lost."""

    value: str
    source: Source
    origin: str | None = None  # the file it came from, when another file of a bundle supplied it
    reason: str


class ErrorInfo(BaseModel):
    stage: str  # ingest, extract, validate, generate
    message: str


class Invoice(BaseModel):
    """One invoice (or ticket, or receipt): the record the output contract is made of."""

    source: str
    sha256: str
    page: int = 1
    sources: list[str] = Field(default_factory=list)  # every file the record was built from (bundles)
    format: DocFormat | None = None  # the format of ``source``
    invoice_kind: InvoiceKind = InvoiceKind.OTHER
    title: str | None = None  # the printed title, e.g. 电子发票（普通发票）
    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    check_code: str | None = None
    machine_number: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    seller_address: str | None = None  # foreign receipts
    seller_phone: str | None = None  # foreign receipts: as printed, spaces dropped
    seller_registration: str | None = None  # foreign receipts: the company registration number (``867388-U``)
    seller_tax_registration: str | None = None  # foreign receipts: the GST / SST / VAT registration number
    amount_without_tax: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    total_amount_in_words: str | None = None
    currency: str = "CNY"
    items: list[LineItem] = Field(default_factory=list)
    category: str | None = None
    remarks: str | None = None
    drawer: str | None = None
    is_red: bool = False
    original_invoice_number: str | None = None  # the invoice a red invoice reverses
    qr_payload: str | None = None
    # tickets and itineraries (railway, flight, ride-hailing)
    passenger: str | None = None
    route: str | None = None
    travel_date: dt.date | None = None
    trip_number: str | None = None  # train or flight number
    seat_class: str | None = None
    fare: Decimal | None = None
    # taxi receipts (出租汽车统一发票): the meter's lines
    vehicle_plate: str | None = None
    pickup_time: str | None = None  # HH:MM
    dropoff_time: str | None = None  # HH:MM
    unit_price: Decimal | None = None  # per km
    distance_km: Decimal | None = None
    supports: dict[str, str] | None = None  # on a trip table: the invoice it supports (never counted itself)
    status: Status = Status.OK
    errors: list[ErrorInfo] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    # field -> the other values seen for it, and why they lost (kept so a reviewer can see disagreements)
    alternatives: dict[str, list[Alternative]] = Field(default_factory=dict)
    duplicate_of: dict[str, str] | None = None  # {"source": ..., "sha256": ...} of the first occurrence
    reverses: dict[str, str] | None = None  # on a red invoice: the blue invoice it reverses (source, sha256, number)
    reversed_by: list[dict[str, str]] = Field(default_factory=list)  # on a blue invoice: the red ones against it
    page_frame: PageFrame | None = None  # read by OCR: how provenance boxes map onto ``source`` (review pictures)
    not_reimbursable: str | None = None  # a person's reason (corrections): shown, never added up

    def add_alternative(self, field: str, alternative: Alternative) -> None:
        known = self.alternatives.setdefault(field, [])
        key = (alternative.value, alternative.source, alternative.origin)
        if all((a.value, a.source, a.origin) != key for a in known):
            known.append(alternative)

    def _repr_html_(self) -> str:
        from office_agent.generate.notebook import invoice_html

        return invoice_html(self)

    def identity(self) -> tuple[str, ...] | None:
        """The duplicate key (see FORMATS.md): code + number, the 20-digit number, or seller + date + total."""
        if self.invoice_number:
            return ("no", self.invoice_code or "", self.invoice_number)
        if self.seller_name and self.issue_date and self.total_amount is not None:
            return ("sdt", self.seller_name, self.issue_date.isoformat(), str(self.total_amount))
        return None


class FileResult(BaseModel):
    """The outcome for one input file: its status, why, and the invoices read from it."""

    source: str
    sha256: str | None = None
    format: DocFormat = DocFormat.UNKNOWN
    status: Status
    reason: str | None = None
    invoices: list[Invoice] = Field(default_factory=list)


class Notice(BaseModel):
    """Something about a run that a person must see and that belongs to no record: a correction that was not
    applied because its file changed or is gone (``office_agent.corrections``)."""

    issue: str
    source: str
    reason: str
    sha256: str | None = None


class BatchResult(BaseModel):
    files: list[FileResult] = Field(default_factory=list)
    invoices: list[Invoice] = Field(default_factory=list)  # after bundle merging and duplicate marking
    notices: list[Notice] = Field(default_factory=list)

    def _repr_html_(self) -> str:
        from office_agent.generate.notebook import batch_html

        return batch_html(self)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == Status.FAILED]

    def counts(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for f in self.files:
            by_status[f.status.value] = by_status.get(f.status.value, 0) + 1
        return {
            "files": len(self.files),
            "invoices": len(self.invoices),
            "duplicates": sum(1 for i in self.invoices if i.duplicate_of),
            **by_status,
        }
