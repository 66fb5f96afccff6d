"""Corrections a person made, kept beside the outputs and applied on every later run.

A finance person's corrections are data: ``corrections.jsonl`` in the output folder (the job's output folder for
scheduled jobs) holds one correction a line, sorted keys, UTF-8, so it reads and diffs like a text file. Each is
keyed by the sha256 of the file it corrects (+ the page, + the field), so it follows the content, not the name:

* ``set``: a field's value (provenance ``manual``: who, when, and the value it replaced, which stays in
  ``alternatives``); every check runs again on the corrected record;
* ``not_reimbursable`` (with a reason) / ``reimbursable``: left out of the totals, still shown;
* ``merge``: this record and ``other`` are one invoice (the other one stays visible as its duplicate);
* ``split``: this record holds two invoices: a second record is made for part 2, whose number and amounts are
  then ``set`` with ``part=2``.

A correction is never applied blindly: when the file it names was read with other content (changed) or is gone
(vanished), it is reported (:class:`CorrectionReport`, the run's summary, the ledger's 待复核 sheet), never
applied to whatever now sits at that path. The format is in docs/review.md.

Writes replace the whole file through a temporary file, fsync and rename: a crash (even SIGKILL) during a save
leaves the previous file or the new one, never half of one.
"""

from office_agent.corrections.apply import apply_corrections, apply_to_record, corrected_copy, revalidate
from office_agent.corrections.model import (
    CORRECTABLE,
    FILE_NAME,
    Correction,
    CorrectionError,
    CorrectionReport,
    Kind,
    Problem,
    Target,
    add_corrections,
    correct,
    corrections_path,
    digest,
    load_corrections,
    merge,
    not_reimbursable,
    parse_value,
    reimbursable,
    save_corrections,
    set_field,
    sha256_of,
    split,
    who,
)

__all__ = [
    "CORRECTABLE", "FILE_NAME", "Correction", "CorrectionError", "CorrectionReport", "Kind", "Problem", "Target",
    "add_corrections", "apply_corrections", "apply_to_record", "correct", "corrected_copy", "corrections_path",
    "digest", "load_corrections", "merge", "not_reimbursable", "parse_value", "reimbursable", "revalidate",
    "save_corrections", "set_field", "sha256_of", "split", "who",
]  # fmt: skip
