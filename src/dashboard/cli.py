"""The command line: `python -m dashboard --help`."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dashboard.config import database_url
from dashboard.reading import parse_date
from dashboard.roles import REGIONAL_VIEWER, AccessDenied, Actor, Role
from dashboard.wording import day, dmy, plural

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dashboard.importers import Importer
    from dashboard.reading import Report

# Each command imports what it needs when it runs (the database layer, the importer and its validation, pandas,
# shapely), so `--help` starts quickly and a command waits for no library it does not use.

app = typer.Typer(
    help="The residential strategy dashboard's data tools: create the store, import, export, back up.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _progress() -> Progress:
    """A progress bar on a terminal; nothing at all when output goes to a file or a pipe."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )


def _engine(ctx: typer.Context) -> Engine:
    from dashboard.db import make_engine

    return make_engine(ctx.obj["database_url"])


def _store(ctx: typer.Context) -> Engine:
    """The store, created or upgraded to the newest schema first."""
    from dashboard.bootstrap import ensure_store

    engine = _engine(ctx)
    ensure_store(engine)
    return engine


def _cli_actor(source: str, user: str | None = None) -> Actor:
    """Whoever can run the command line can open the store itself: they act as an administrator."""
    return Actor(user=user or getpass.getuser(), source=source, role=Role.ADMIN)


def _fail(message: str) -> NoReturn:
    # soft_wrap: a message stays on one line however narrow the terminal (and whole when redirected to a file).
    # escape: a path or value with [brackets] in it is shown as written, not taken for markup.
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@app.callback()
def main_options(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Database to use. Default: $DATABASE_URL, else dashboard.sqlite in data/ (a checkout) or in the "
            "current folder (an installed package).",
        ),
    ] = None,
) -> None:
    ctx.obj = {"database_url": database or database_url()}


@app.command("init-db")
def init_db(
    ctx: typer.Context,
    seed: Annotated[
        bool, typer.Option(help="Load the decision record's facts and illustrative data into a new store.")
    ] = True,
) -> None:
    """Create the store or upgrade it to the newest schema; a new store is seeded."""
    from dashboard.bootstrap import ensure_store

    status = ensure_store(_engine(ctx), seed=seed)
    if status.seeded:
        print("Created a new store and loaded the seed programme (decision record B147/24 and illustrative data).")
    elif status.created:
        print("Created a new, empty store (reference data only).")
    else:
        print("Store is up to date; its data was left as it was.")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file, or a folder of CSV files (as export writes).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report what would change; write nothing.")
    ] = False,
    user: Annotated[str | None, typer.Option(help="Name recorded in the audit log. Default: your login name.")] = None,
    council: Annotated[
        str | None,
        typer.Option(
            help="The council whose programme the file is (ONS code or name). Needed where the store "
            "holds several councils, unless the file's Council column names it. A Council or Council ONS code "
            "column, where given, must name this council on every row."
        ),
    ] = None,
) -> None:
    """Import decisions, phases and properties with their milestones. All or nothing."""
    from dashboard.importing import ProgrammeImport

    with err.status(f"Checking {file.name}…") if err.is_terminal else nullcontext():
        _import(ctx, ProgrammeImport(file, council_named=council), dry_run, user)


@app.command("export")
def export_command(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Folder to write every table and the data dictionary into.")] = None,
    template: Annotated[
        Path | None, typer.Option(help="Write an empty import template instead (.xlsx workbook or .csv tracker).")
    ] = None,
    council: Annotated[
        str | None,
        typer.Option(
            help="One council's rows only (ONS code or name): its programme, its changes, and the store's "
            "national data. Default: every council's. Where the store holds several councils, decisions, phases, "
            "properties, briefing packs, SSDA903 figures, objectives and forecasts say whose each row is (Council, "
            "Council ONS code)."
        ),
    ] = None,
) -> None:
    """Export every table as CSV (UTF-8 with BOM, ISO dates), with a data dictionary."""
    from dashboard.exporting import export_all, write_template
    from dashboard.layout import EXPORT_LAYOUTS

    if template:
        write_template(template)
        print(f"Wrote the import template {template}")
        return
    if out is None:
        _fail("say where to write: --out FOLDER (or --template FILE for an empty template)")
    engine = _store(ctx)
    code = _council_code(engine, council) if council is not None else None
    with _progress() as progress:
        task = progress.add_task("Exporting", total=len(EXPORT_LAYOUTS))
        written = export_all(
            engine, out, _cli_actor("export"), on_table=lambda _name, _rows: progress.advance(task), council=code
        )
    for name, rows in written.items():
        print(f"{out / name}: {rows} rows")


CouncilOption = Annotated[
    str | None,
    typer.Option(
        "--council",
        help="The council whose data it is (ONS code or name). Default: the store's first council; needed to import "
        "where the store holds several.",
    ),
]


def _council_code(engine: Engine, written: str) -> str:
    """The ONS code of the council `written` names (its code or name), or a plain failure."""
    from sqlalchemy.orm import Session

    from dashboard.reference import UnknownCouncil, council_named

    with Session(engine) as session:
        try:
            return council_named(session, written).ons_code
        except UnknownCouncil as unknown:
            _fail(str(unknown))


def _import(ctx: typer.Context, importer: Importer[Report], dry_run: bool, user: str | None = None) -> None:
    """Every import command: the file imported (`run_import`), its report printed, and exit 1 when it was refused."""
    from dashboard.importers import run_import

    engine = _store(ctx)
    report = run_import(engine, importer, _cli_actor(f"import {importer.path.name}", user), dry_run)
    if not report.ok:
        err.print(report.summary(), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=1)
    print(report.summary())


@app.command("import-903")
def import_903_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="SSDA903 CSV files: each year's episodes file (CHILD, DECOM, RNE, LS, PLACE, ...) and, optionally, "
            "its header file (CHILD, DOB, ...), in any order. Several years together let the measures look back "
            "over them (long-term stability needs two and a half years)."
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")] = False,
    council: CouncilOption = None,
) -> None:
    """Import a council's SSDA903 files as the objectives' measures at each month end they cover, DfE's at 31 March
    (children looked after, in children's homes by provider, placement stability, inside the county, distance from
    home). No child-level row or postcode is kept. Import the postcode-district lookup first."""
    from dashboard.placements import EpisodesImport

    _import(ctx, EpisodesImport(files, council_named=council), dry_run)


@app.command("import-lookup")
def import_lookup_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV with a Postcode district column (SG1) and a Local authority column.")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")] = False,
) -> None:
    """Replace the postcode-district lookup that places children inside or outside the county."""
    from dashboard.lookup import LookupImport

    _import(ctx, LookupImport(file), dry_run)


@app.command("import-ofsted")
def import_ofsted_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Ofsted's provider-level CSV as downloaded from GOV.UK.")],
    as_at: Annotated[
        str | None,
        typer.Option("--as-at", help="31 March of the data's year, if neither the file's title nor its name says."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace the year held even if the file counts under 90% of its homes or places."
        ),
    ] = False,
) -> None:
    """Import Ofsted's children's homes data for one year: homes and places by sector and rating, per authority."""
    from dashboard.market import OfstedImport

    try:
        when = parse_date(as_at) if as_at else None
    except ValueError as error:
        _fail(f"--as-at: {error}")
    _import(ctx, OfstedImport(file, when, replace), dry_run)


COUNCIL_OF_GRANT = typer.Option(
    "--council",
    help="The council (its ONS code or name) the role holds in; without it, every council. The regional viewer "
    "role is held in none.",
)


@app.command("grant")
def grant_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The e-mail address the person signs in with.")],
    role: Annotated[str, typer.Argument(help=f"viewer, analyst, editor, admin or '{REGIONAL_VIEWER}'.")],
    council: Annotated[str | None, COUNCIL_OF_GRANT] = None,
) -> None:
    """Give a signed-in account a role, in one council or every council (the first admin is granted this way;
    admins then grant from the app)."""
    from dashboard.access import grant_role, parse_grantable

    engine = _store(ctx)
    try:
        print(grant_role(engine, _cli_actor("cli"), account, parse_grantable(role), council))
    except (ValueError, AccessDenied) as error:
        _fail(str(error))


@app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The e-mail address to remove the role from.")],
    council: Annotated[str | None, COUNCIL_OF_GRANT] = None,
) -> None:
    """Remove an account's role in the council (or in every council): it falls back to its other grants, or to what
    DASHBOARD_UNGRANTED says (viewer, or refused)."""
    from dashboard.access import revoke_role

    engine = _store(ctx)
    try:
        print(revoke_role(engine, _cli_actor("cli"), account, council))
    except (ValueError, AccessDenied) as error:
        _fail(str(error))


@app.command("roles")
def roles_command(ctx: typer.Context) -> None:
    """List the roles granted to signed-in accounts, with the council each holds in."""
    from dashboard.access import grants

    engine = _store(ctx)
    granted = grants(engine, _cli_actor("cli"))
    if granted.empty:
        print("No roles granted yet.")
    for row in granted.itertuples():
        print(f"{row.Account}\t{row.Council}\t{row.Role}")


@app.command("demo-data")
def demo_data(
    ctx: typer.Context,
    properties: Annotated[int, typer.Option(min=1, help="How many synthetic properties.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same programme.")] = 1,
    councils: Annotated[
        int,
        typer.Option(
            min=1,
            help="How many councils, each with PROPERTIES properties: the store's first, and invented ones beside "
            "it (a synthetic region, each council marked synthetic).",
        ),
    ] = 1,
) -> None:
    """Fill a new, empty store with a synthetic programme of any size (for demonstrations and benchmarks)."""
    from dashboard.bootstrap import ensure_store
    from dashboard.demo import DemoError, build_demo

    engine = _engine(ctx)
    ensure_store(engine, seed=False)
    with _progress() as progress:
        task = progress.add_task("Building", total=properties * councils)
        try:
            counts = build_demo(
                engine,
                properties,
                seed,
                on_progress=lambda done: progress.update(task, completed=done),
                councils=councils,
            )
        except DemoError as error:
            _fail(str(error))
    print(", ".join(f"{rows} {table}" for table, rows in counts.items()) + " rows written.")


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Exit 0 only when the store is ready to serve: reachable, at the newest schema, every table and column
    present. Changes nothing (a container's health check runs it); otherwise says why and exits 1."""
    from dashboard.readiness import readiness_problems

    problems = readiness_problems(ctx.obj["database_url"])
    if problems:
        _fail("not ready: " + "; ".join(problems))
    print("Ready: the store is reachable, at the newest schema, with every table and column.")


@app.command("backup")
def backup(
    ctx: typer.Context,
    destination: Annotated[Path, typer.Argument(help="File (or folder) to write the copy to.")],
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    keep: Annotated[
        int | None,
        typer.Option(
            help="Write a dated backup into the folder DESTINATION and keep only the newest N dated backups there "
            "(files named otherwise are left alone)."
        ),
    ] = None,
) -> None:
    """Write a consistent copy of the SQLite store, safe while the app is running."""
    from datetime import datetime

    from dashboard.backup import BackupError, backup_sqlite, rotated_backup

    try:
        if keep is None:
            written = backup_sqlite(_engine(ctx), destination, overwrite=overwrite)
        else:
            written, removed = rotated_backup(_engine(ctx), destination, keep, datetime.now())
            for path in removed:
                print(f"Removed the older backup {path}")
    except BackupError as error:
        _fail(str(error))
    print(f"Backed up to {written}")


@app.command("restore")
def restore(
    ctx: typer.Context,
    backup_file: Annotated[Path, typer.Argument(help="A backup made by `backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Put a backup back as the store. The store as it is now is copied aside first, so nothing is lost."""
    from datetime import datetime

    from dashboard.backup import BackupError, restore_sqlite

    engine = _engine(ctx)
    if not yes and not typer.confirm(f"Replace the store with {backup_file.name}? (the current store is kept aside)"):
        raise typer.Exit(code=1)
    store = Path(engine.url.database or "store.sqlite")
    safety = store.with_name(f"{store.stem}-before-restore-{datetime.now():%Y%m%d-%H%M%S}{store.suffix}")
    try:
        saved = restore_sqlite(engine, backup_file, safety)
    except BackupError as error:
        _fail(str(error))
    print(f"Restored {backup_file}. The store as it was before is kept in {saved}")


@app.command("copy-store")
def copy_store_command(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The database to copy into, as a SQLAlchemy URL (postgresql+psycopg://user:password@host/dashboard). "
            "It must hold no data.",
        ),
    ],
) -> None:
    """Copy the whole store (every row, the audit trail included) into an empty database, such as PostgreSQL when a
    council outgrows one SQLite file. The store copied from keeps all its data."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.copying import CopyError, copy_store
    from dashboard.db import make_engine

    source, target = _engine(ctx), make_engine(to)
    try:
        counts = copy_store(source, target)
    except CopyError as error:
        _fail(f"nothing was copied: {error}")
    except SQLAlchemyError as error:  # cannot connect, no such database, no permission
        _fail(f"nothing was copied: {target.url.render_as_string()}: {getattr(error, 'orig', None) or error}")
    finally:
        target.dispose()
    print(
        f"Copied {sum(counts.values()):,} rows into {target.url.render_as_string()}: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items() if count)
    )
    print(f"Point the app at it: DATABASE_URL={target.url.render_as_string()}")


@app.command("boundaries")
def boundaries_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="A GeoJSON file, or an http(s) URL to download one from.")],
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Where to install them. Default: $DASHBOARD_BOUNDARIES, else boundaries/ beside the default store.",
        ),
    ] = None,
) -> None:
    """Install real district boundaries (GeoJSON) for the Districts and Region maps: one or more councils' districts,
    each council whole; councils installed before and not in the file are kept."""
    from dashboard.boundaries import BoundaryError, install_boundaries

    engine = _store(ctx)
    try:
        installed = install_boundaries(source, engine, to)
    except BoundaryError as error:
        _fail(str(error))
    written = installed.path
    shown = written.relative_to(Path.cwd()) if written.is_relative_to(Path.cwd()) else written
    print(f"Installed boundaries of {_councils_districts(installed.councils)} to {shown}")
    if installed.kept:
        print(f"Kept those installed before of {_councils_districts(installed.kept)}")


def _councils_districts(counts: dict[str, int]) -> str:
    """ "Hertfordshire's 10 districts and Northmarsh's 2": whose districts, and how many."""
    parts = [f"{council}'s {plural(count, 'district')}" for council, count in counts.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


@app.command("briefing")
def briefing_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="The PDF to write.")],
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Data as at this date (YYYY-MM-DD or DD/MM/YYYY). Default: today.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Report what changed after this date. Default: the day before the last pack was made (here "
            "or in the app), so all of that day is covered, or 28 days before --as-at if none was."
        ),
    ] = None,
    classification: Annotated[
        str | None, typer.Option(help="Security marking on every page: OFFICIAL or OFFICIAL-SENSITIVE. Default: none.")
    ] = None,
    council: Annotated[
        str | None,
        typer.Option(help="Whose programme (ONS code or name). Default: the store's first council."),
    ] = None,
    region: Annotated[
        bool,
        typer.Option(
            "--region",
            help="The region's pack instead: every council's programme side by side, programme-level figures only, "
            "and what moved since --since (default: the day before the region's last pack was made, or 28 days "
            "before --as-at if none was).",
        ),
    ] = False,
) -> None:
    """Write the Executive Member's briefing pack: an A4 PDF of headline figures, changes, risks, charts and decisions.
    Each pack made is recorded: the next one's (the council's, or the region's) starts from the day it was made."""
    from datetime import date

    from dashboard.briefing.content import CLASSIFICATIONS, check_dates
    from dashboard.briefing.packs import default_since, record_pack

    dates = {}
    for option, value in (("--as-at", as_at), ("--since", since)):
        try:
            dates[option] = parse_date(value)
        except ValueError as error:
            _fail(f"{option}: {error}")
    as_at_date = dates["--as-at"] or date.today()
    marking = classification.strip().upper() if classification else None
    if marking is not None and marking not in CLASSIFICATIONS:
        _fail(f"--classification: '{classification}' is not one of {', '.join(CLASSIFICATIONS)}")
    if region and council is not None:
        _fail("--region and --council: a pack is either the region's or one council's")
    try:  # checked before the store is opened: a date at fault leaves no store behind
        check_dates(as_at_date, dates["--since"] or as_at_date, date.today())
    except ValueError as error:
        _fail(str(error))
    from dashboard.briefing.browser import start_chart_browser

    start_chart_browser()  # Chromium starts while the PDF's libraries load and the store opens
    from dashboard.briefing.pdf import build_briefing
    from dashboard.briefing.region_pack import build_region_briefing

    engine = _store(ctx)
    actor = _cli_actor("cli")
    code = _council_code(engine, council) if council is not None else None
    # The default is never after --as-at (default_since says so), so the dates checked above still hold.
    since_date = dates["--since"] or default_since(engine, as_at_date, code, region)
    if region:
        what, moved = "the region's briefing pack", "what moved"
        written = _made_with_progress(
            lambda report: build_region_briefing(
                engine, actor, as_at_date, since_date, marking, out, on_progress=report
            )
        )
    else:
        what, moved = "the briefing pack", "changes"
        written = _made_with_progress(
            lambda report: build_briefing(
                engine, actor, as_at_date, since_date, marking, out, on_progress=report, council=code
            )
        )
    record_pack(engine, actor, as_at_date, since_date, marking, council=code, region=region)
    print(f"Wrote {what} as at {dmy(as_at_date)} ({moved} since {dmy(since_date)}) to {written}")


def _made_with_progress(make: Callable[[Callable[[int, int, str], None]], Path]) -> Path:
    """A pack made with its steps shown as they are done (`make` is given the progress callback)."""
    with _progress() as progress:
        task = progress.add_task("Briefing", total=None)
        return make(lambda done, total, step: progress.update(task, completed=done, total=total, description=step))


# ---------------------------------------------------------------- councils

council_app = typer.Typer(
    help="The councils whose programmes the store holds (a regional co-operative holds several).",
    no_args_is_help=True,
)
app.add_typer(council_app, name="council")


@council_app.command("add")
def council_add(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The council's reference file (TOML, laid out as data/reference/hertfordshire.toml).")
    ],
) -> None:
    """Add a council, its districts and its strategy. Refused, with nothing written, if the file is at fault, the
    council is held already, or a district is written as another council's is."""
    from dashboard.council_files import ReferenceFileError
    from dashboard.councils import CouncilRefused, add_council

    engine = _store(ctx)
    try:
        print(add_council(engine, _cli_actor("cli"), file))
    except (ReferenceFileError, CouncilRefused) as error:
        _fail(str(error))


@council_app.command("list")
def council_list_command(ctx: typer.Context) -> None:
    """The councils the store holds, the first being the one the app opens on."""
    from dashboard.councils import council_list

    for row in council_list(_store(ctx)).itertuples(index=False):
        synthetic = " (synthetic)" if row.Synthetic else ""
        print(f"{row[0]}\t{row.Council}{synthetic}\t{row.Districts} districts\t{row.Strategy}: {row[5]} beds")


# ---------------------------------------------------------------- the demand forecast

forecast_app = typer.Typer(
    help="The demand forecast of children's-home places: show it, save or delete a named scenario.",
    no_args_is_help=True,
)
app.add_typer(forecast_app, name="forecast")


@forecast_app.command("show")
def forecast_show(ctx: typer.Context, council: CouncilOption = None) -> None:
    """Each scenario's inputs and its beds needed at the forecast's end, and the backtest's error."""
    from dashboard import demand

    engine = _store(ctx)
    code = _council_code(engine, council) if council is not None else None
    held = demand.held_basis(engine, code)
    if held is None:
        print("No forecast yet: import SSDA903 episodes with their header files (import-903).")
        return
    for line in _basis_lines(held):
        print(line)
    needed = demand.forecasts(engine, code)
    needed = needed[needed["measure"] == demand.BEDS_NEEDED]
    runs = demand.runs(engine, code)
    for run in runs.itertuples(index=False):
        print(_run_line(run, needed[needed["scenario"] == run.scenario]))
    waiting = [s.name for s in demand.saved_scenarios(engine, code) if s.name not in set(runs["scenario"])]
    if waiting:
        print(f"Saved, forecast at the next SSDA903 import: {', '.join(waiting)}.")


def _basis_lines(held) -> list[str]:
    """The data the forecast is made from and its backtest, in words."""
    first, last = held.data
    lines = [
        f"Forecast made {day(held.made_at.date())} by {held.made_by} from SSDA903 data {day(first)} to {day(last)}."
    ]
    if held.basis.without_birth:
        lines.append(f"Left out for want of a date of birth: {held.basis.without_birth} children.")
    if held.backtest_reference is None or held.backtest_mape is None:
        lines.append("Backtest: none (it needs 14 months of data at least).")
    else:
        fitted = f"{day(held.backtest_reference[0])} to {day(held.backtest_reference[1])}"
        lines.append(
            f"Backtest (fitted on {fitted}, the year to {day(last)} forecast): mean absolute percentage error "
            f"{held.backtest_mape:.1f}% in children in children's homes."
        )
    return lines


def _run_line(run, needed) -> str:
    """One scenario's inputs and its beds needed at the last month end (expected, and the interval)."""
    inputs = (
        f"{run.scenario}: entries {run.entry_change:+g}%, own homes' share {run.own_share:.1%} "
        f"({run.own_share_source}), occupancy {run.occupancy:.0%}, reference window {day(run.reference_first)} to "
        f"{day(run.reference_last)}, {run.runs} runs"
    )
    if needed.empty:
        return inputs + "."
    end = needed.sort_values("period_end").iloc[-1]
    return (
        f"{inputs}; beds needed on {day(end['period_end'])}: {end['expected']:.1f} "
        f"({end['lower']:.1f} to {end['upper']:.1f})."
    )


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def _reference(value: str | None) -> tuple[date, date] | None:
    """FIRST:LAST as two dates (YYYY-MM-DD or DD/MM/YYYY)."""
    if value is None:
        return None
    parts = value.split(":")
    try:
        dates = [parse_date(part) for part in parts]
    except ValueError as error:
        _fail(f"--reference: {error}")
    match dates:
        case [date() as first, date() as last]:
            return first, last
    _fail(f"--reference: '{value}' is not FIRST:LAST, e.g. 2018-04-01:2020-03-31")


@forecast_app.command("save")
def forecast_save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name (saving a name again changes it).")],
    entry_change: Annotated[
        float, typer.Option("--entry-change", help="Per cent on the entries into care a month, e.g. -10 or 20.")
    ] = 0.0,
    own_share: Annotated[
        float | None,
        typer.Option(
            "--own-share",
            help="Per cent of children in children's homes to meet in the own homes. Default: the strategy's aim, "
            "else the own provision's share at the data's last month end.",
        ),
    ] = None,
    occupancy: Annotated[
        float | None, typer.Option(help="Target occupancy of the own homes' beds, per cent. Default: 85.")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="The reference window the rates are fitted on, FIRST:LAST (e.g. 2018-04-01:2020-03-31). Default: "
            "the last two years of data."
        ),
    ] = None,
    user: Annotated[str | None, typer.Option(help="Name recorded in the audit log. Default: your login name.")] = None,
    council: CouncilOption = None,
) -> None:
    """Save a named scenario of a council's and forecast it from the SSDA903 data it holds. Nothing is written if an
    input is wrong."""
    from dashboard import demand

    scenario = demand.Scenario(
        name,
        entry_change,
        _fraction(own_share),
        _fraction(occupancy),
        _reference(reference),
    )
    engine = _store(ctx)
    code = _council_code(engine, council) if council is not None else None
    try:
        print(demand.save_scenario(engine, scenario, _cli_actor("cli", user), code))
    except demand.InvalidScenario as invalid:
        for field, problem in invalid.problems:
            err.print(f"{escape(field)}: {escape(problem)}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    except AccessDenied as error:
        _fail(str(error))


@forecast_app.command("delete")
def forecast_delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario to delete.")],
    user: Annotated[str | None, typer.Option(help="Name recorded in the audit log. Default: your login name.")] = None,
    council: CouncilOption = None,
) -> None:
    """Delete a saved scenario and its forecast (the central one is made on every import and stays)."""
    from dashboard import demand

    engine = _store(ctx)
    code = _council_code(engine, council) if council is not None else None
    saved = [scenario.name for scenario in demand.saved_scenarios(engine, code)]
    if name not in saved:
        _fail(f"There is no scenario '{name}'. Saved: {', '.join(saved) or 'none'}.")
    try:
        print(demand.delete_scenario(engine, name, _cli_actor("cli", user), code))
    except AccessDenied as error:
        _fail(str(error))


def _in_words(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:  # "File exists: out.csv", not "[Errno 17] File exists: ..."
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error) or "something unexpected went wrong"


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a user sees a message, never a traceback (DASHBOARD_DEBUG=1 shows it)
        if os.environ.get("DASHBOARD_DEBUG"):
            raise
        # The message only: an exception's class name means nothing to the person reading it.
        message = escape(_in_words(error))
        err.print(
            f"[bold red]Error:[/] {message} (set DASHBOARD_DEBUG=1 for the details)", highlight=False, soft_wrap=True
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
