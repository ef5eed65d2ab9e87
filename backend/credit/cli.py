"""``scf credit``: credit records from the indexed database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from backend.credit.cache import get_record
from backend.credit.record import FIGURES, CreditRecordView
from backend.db import make_engine
from backend.errors import LedgerError
from backend.money import format_money
from backend.settings import get_settings

credit_app = typer.Typer(help="per-firm credit records", no_args_is_help=True)
console = Console(width=None if Console().is_terminal else 130)


@credit_app.callback()
def credit() -> None:
    """Per-firm credit records from the indexed database (a group even with one command)."""


class InvalidTime(LedgerError, code="invalid_time", status=400):
    """A time that is neither YYYY-MM-DD nor an ISO datetime."""


def parse_as_of(text: str) -> int:
    """Unix time of ``YYYY-MM-DD`` (the end of that day, UTC: a record "as of" a date includes
    the whole day) or of an ISO datetime (UTC unless it names its offset)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return int(datetime.combine(day, time.max, UTC).timestamp())
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidTime(f"{text!r} is neither YYYY-MM-DD nor an ISO datetime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@credit_app.command("show")
def show(
    address: str = typer.Argument(..., help="the firm's address"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="YYYY-MM-DD (end of day, UTC) or ISO datetime; default: now"
    ),
    locale: str = typer.Option(
        "zh_CN", "--locale", help="how amounts are written: zh_CN (¥1,234.00) or en (CNY 1,234.00)"
    ),
) -> None:
    """Print a firm's credit record: each figure, its value and how many chain events back it."""
    url = get_settings().effective_database_url
    engine = make_engine(url)
    try:
        view = get_record(engine, address, None if as_of is None else parse_as_of(as_of))
    except LedgerError as error:
        console.print(f"[red]{error.message}[/red]", highlight=False)
        raise typer.Exit(1) from None
    except DBAPIError as error:
        where = make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig).splitlines()[0] if error.orig else str(error)
        console.print(
            f"[red]cannot read the database at {where}: {reason}[/red] "
            "(run `scf db upgrade` and `scf index` first)",
            highlight=False,
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(record_table(view, get_settings().base_currency, locale))


def record_table(view: CreditRecordView, base_currency: int = 156, locale: str = "zh_CN") -> Table:
    moment = datetime.fromtimestamp(view.as_of, UTC).isoformat()
    table = Table(title=f"credit record of {view.firm} as of {moment}")
    table.add_column("figure")
    table.add_column("value")
    table.add_column("evidence", justify="right")
    if not view.available:
        table.add_row("available", f"no: {view.reason}", "0")
        return table
    for name in FIGURES:
        shown = _format(view.figures[name], base_currency, locale)
        table.add_row(name, shown, str(len(view.evidence.get(name, ()))))
    return table


def _is_money(key: str) -> bool:
    """The record's amount fields (``amount``, ``core_amount``, …): minor units of a currency."""
    return key == "amount" or key.endswith("_amount") or key == "advance"


def _format(value: Any, currency: int, locale: str) -> str:
    """A figure for people; amounts as money in the figure's own ``currency`` when it names one,
    else in the base currency the record is scored in."""
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        return ", ".join(
            f"{key}={_money_or(item, key, currency, locale)}"
            for key, item in value.items()
            if key != "currency"
        )
    if isinstance(value, list):
        return "[" + "; ".join(_format(item, currency, locale) for item in value) + "]"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _money_or(item: Any, key: str, currency: int, locale: str) -> str:
    if _is_money(key) and isinstance(item, int) and not isinstance(item, bool):
        return format_money(item, currency, locale)
    return _format(item, currency, locale)
