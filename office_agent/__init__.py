"""office-agent: local-first processing of Chinese invoices into a reimbursement ledger.

The flow is the package layout: ``ingest`` (bytes → Document) → ``extract`` (Document → Invoice records, a chain
of langchain-core Runnables) → ``generate`` (records → ledger, CSV, JSON), all over the typed ``models``.

Notebook use::

    from office_agent import run_batch, write_ledger
    result = run_batch(["samples/invoices"])
    result.invoices[0]

From a batch to what finance accepts (print pack with its 报销单, tidy copies, policy flags)::

    from office_agent import build_pack, check_policy, load_rules, organize
    flags = check_policy(result, load_rules("rules.yaml"))      # also added to each invoice's checks
    build_pack(result, Path("outputs/pack.pdf"))                # + outputs/pack.json
    organize(result, Path("tidy"), by="month")                  # + tidy/organize.json
"""

from __future__ import annotations

__version__ = "0.1.0"

from office_agent.batch import run_batch
from office_agent.generate.ledger import write_ledger
from office_agent.generate.organize import organize
from office_agent.generate.pack import PackOptions, build_pack
from office_agent.rules import check_policy, load_rules

__all__ = [
    "PackOptions", "__version__", "build_pack", "check_policy", "load_rules", "organize", "run_batch", "write_ledger",
]  # fmt: skip
