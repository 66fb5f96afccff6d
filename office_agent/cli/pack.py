"""The ``pack`` (a print pack with its 报销单 cover) and ``organize`` commands; ``register(app)`` adds them.

Each a few lines over :func:`office_agent.generate.pack.build_pack` or :func:`office_agent.generate.organize.organize`;
the console and logging come from ``office_agent.cli.common``; the ledger's filters and the batch run from
``office_agent.cli.invoices`` (the imports go one way: nothing there imports this module).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from office_agent.cli.common import err, printable, setup_logging
from office_agent.cli.invoices import (
    Category,
    Company,
    CompanyId,
    From,
    Lang,
    Out,
    Person,
    To,
    Year,
    _finish,
    _options,
    _run,
    _settings,
)
from office_agent.cli.options import Config, Paths, Quiet, RulesFile, Verbose, Workers


class Layout(StrEnum):
    one = "1up"
    two = "2up"
    four = "4up"
    six = "6up"


class TicketLayout(StrEnum):
    four = "4up"
    six = "6up"
    same = "same"


class Paper(StrEnum):
    a4 = "a4"
    a5 = "a5"


class Order(StrEnum):
    date = "date"
    category = "category"
    person = "person"


def pack(
    paths: Paths,
    out: Out = Path("outputs"),
    layout: Annotated[Layout, typer.Option("--layout", help="Invoices to a sheet.")] = Layout.two,
    tickets: Annotated[
        TicketLayout, typer.Option("--tickets", help="Railway/air tickets and taxi receipts to a sheet.")
    ] = TicketLayout.six,
    paper: Annotated[Paper, typer.Option("--paper", help="Sheet size.")] = Paper.a4,
    order: Annotated[Order, typer.Option("--order", help="Order of the invoices.")] = Order.date,
    claimant: Annotated[str | None, typer.Option("--claimant", help="报销人 (else [claim] in the config).")] = None,
    department: Annotated[str | None, typer.Option("--department", help="部门.")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="事由.")] = None,
    cover: Annotated[bool, typer.Option(help="The 报销单 cover page.")] = True,
    cut_lines: Annotated[bool, typer.Option(help="Dashed cut lines between slots.")] = True,
    year: Year = None,
    date_from: From = None,
    date_to: To = None,
    category: Category = None,
    person: Person = None,
    company: Company = None,
    company_tax_id: CompanyId = None,
    rules: RulesFile = None,
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write pack.pdf (the 报销单 cover, then the invoices n-up, ready to print) and pack.json (what went where).

    Example: office-agent pack ~/fapiao --year 2025 --layout 2up --claimant 张三 --purpose 上海出差 -o outputs
    """
    from office_agent.generate.pack import PackOptions, build_pack

    setup_logging(verbose)
    settings = _settings(config, company, company_tax_id, rules)
    ledger = _options(paths, settings, Lang.zh, year, date_from, date_to, category, None, person)
    claim = settings.claim
    period = None if ledger.date_filtered or not settings.period.start else (settings.period.start, settings.period.end)
    options = PackOptions(
        layout=layout.value,
        tickets=tickets.value,
        paper="a5" if paper == Paper.a5 else "a4",
        order="category" if order == Order.category else "person" if order == Order.person else "date",
        cover=cover,
        cut_lines=cut_lines,
        claimant=claimant or claim.claimant or "",
        department=department or claim.department or "",
        purpose=purpose or claim.purpose or "",
        period=period,
        ledger=ledger,
    )
    result = _run(paths, out, workers, settings)
    packed = build_pack(result, out / "pack.pdf", options, source_root=Path.cwd())
    if not quiet:
        for left in packed.left_out:
            err.print(f"not printed: {printable(left.source)}: {printable(left.reason)}", markup=False)
    _finish(result, [packed.path, packed.path.with_suffix(".json")], quiet)


class By(StrEnum):
    month = "month"
    category = "category"
    person = "person"
    none = "none"


def organize(
    paths: Paths,
    out: Out = Path("organized"),
    by: Annotated[By, typer.Option("--by", help="One folder level by month, category or person (or none).")] = By.month,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            help="File name template; fields: date month year seller buyer total amount tax "
            "number code category kind person title seller_tax_id buyer_tax_id.",
        ),
    ] = "{date}_{seller}_{total}_{number}",
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Copy every file (never moved, never changed) into a tidy tree under OUT, named from its invoice; every input
    is listed in OUT/organize.json (copied, duplicate, unreadable…).

    Example: office-agent organize ~/fapiao -o ~/fapiao-tidy --by month --name "{date}_{seller}_{total}_{number}"
    """
    from office_agent.generate.organize import check_template
    from office_agent.generate.organize import organize as organize_files

    setup_logging(verbose)
    check_template(name)  # before reading anything
    result = _run(paths, out, workers, _settings(config, None, None))
    done = organize_files(result, out, by=by.value, name=name, inputs=tuple(p for p in paths if p.is_dir()))
    if not quiet:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(done.counts().items()))
        err.print(f"organized {len(done.files)} files into {printable(str(out))}: {counts}", markup=False)
        for f in done.files:
            if f.status in ("unreadable", "duplicate"):
                err.print(f"{f.status}: {printable(f.source)}: {printable(f.reason)}", markup=False)
    _finish(result, [out / "organize.json"], quiet)


rules_app = typer.Typer(no_args_is_help=True, help="Expense-policy rules files (see docs/rules.md).")


@rules_app.command("draft")
def rules_draft(
    policies: Annotated[list[Path], typer.Argument(help="The expense policy: PDF, DOCX, HTML, Markdown, TXT.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="The staff level of a standards table (default: its last row).")
    ] = None,
) -> None:
    """Draft rules.yaml from a company's expense policy: each rule cites its clause and is confirmed: false, so
    nothing is enforced until a person confirms it.

    Example: office-agent rules draft 差旅费管理办法.pdf -o rules.yaml
    """
    import yaml

    from office_agent.errors import BadArguments
    from office_agent.generate.ledger import atomic_write
    from office_agent.rules.draft import draft_rules
    from office_agent.rules.model import parse_rules

    draft = draft_rules(policies, level=level)
    text = draft.to_yaml(p.name for p in policies)
    parse_rules(yaml.safe_load(text), "the draft")  # what it wrote is a valid rules file
    if not draft.sections:
        raise BadArguments(f"no rule the rules file can check was found in {', '.join(map(str, policies))}")
    if output is None:
        typer.echo(text, nl=False)
    else:
        with atomic_write(output) as fh:
            fh.write(text)
        err.print(f"wrote {printable(str(output))}: {len(draft.sections)} rules, none confirmed", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``pack``, ``organize`` and ``rules draft`` to ``app``."""
    app.command("pack")(pack)
    app.command("organize")(organize)
    app.add_typer(rules_app, name="rules")
