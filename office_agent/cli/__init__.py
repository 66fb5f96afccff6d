"""The command line, one module per command group over the library:

- ``invoices``: extract, ledger, report, ask;
- ``checklist``: checklists from guides and policies;
- ``jobs``: run, watch, store export/import/info;
- ``ocr``: ocr engines, ocr paddle-models;
- ``pack``: pack (the print pack and its 报销单), organize;

and below them ``common`` (console, logging, settings, summary, exit codes) and ``options`` (options several
commands take). ``app`` builds the Typer app from them; ``main`` is the entry point.
"""

from office_agent.cli.app import app, main

__all__ = ["app", "main"]
