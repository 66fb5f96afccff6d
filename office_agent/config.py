"""Settings that bound what one run may read. Defaults suit a reimbursement folder; every bound is a setting."""

from __future__ import annotations

from pydantic import BaseModel


class Limits(BaseModel):
    """Bounds applied to every input, so a hostile file costs that file and nothing more."""

    max_file_bytes: int = 200 * 1024 * 1024  # a single file (or archive member) larger than this is refused
    max_pages: int = 50  # pages read per PDF/OFD; an invoice has a few, a 10,000-page PDF is not one
    zip_max_members: int = 10_000
    zip_max_total_bytes: int = 1024 * 1024 * 1024  # uncompressed, all members of one archive, nested included
    zip_max_ratio: float = 200.0  # uncompressed / compressed, per member; real invoices compress ~2-20x
    zip_max_depth: int = 3  # ZIP inside ZIP inside ZIP
    xml_max_bytes: int = 20 * 1024 * 1024
    qr_render_scale: float = 2.0  # render scale when the QR must be read from the rendered page
    max_image_pixels: int = 80_000_000  # decompression-bomb guard: refused before decoding
    file_timeout_s: float | None = 300.0  # a file still being read after this long is abandoned (pool runs)
    worker_memory_bytes: int | None = None  # address space a worker may add to what it starts with; None: RAM / 4


DEFAULT_LIMITS = Limits()
