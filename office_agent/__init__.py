"""office-agent: local-first processing of Chinese invoices into a reimbursement ledger.

The flow is the package layout: ``ingest`` (bytes → Document) → ``extract`` (Document → Invoice records, a chain
of langchain-core Runnables) → ``generate`` (records → ledger, CSV, JSON), all over the typed ``models``.

Notebook use::

    from office_agent import run_batch, write_ledger
    result = run_batch(["samples/invoices"])
    result.invoices[0]
"""

from __future__ import annotations

__version__ = "0.1.0"

from office_agent.batch import run_batch
from office_agent.generate.ledger import write_ledger

__all__ = ["__version__", "run_batch", "write_ledger"]
