"""Writes of the indexer's handlers: buffered for bulk inserts, journaled while provisional.

Handlers insert and update rows through a :class:`Store`. Inserts are buffered per table, as
tuples of values, and written with one ``executemany`` each; an update (or a read) first flushes
the buffers, so that handlers always see what earlier events wrote. A write made for a block that
is still provisional (newer than the final depth) also writes a journal entry saying how to undo
it, which is what a reorg rollback replays, newest first.

Counters (:meth:`Store.increment`: the credit tallies) are summed per row in memory and added to
the stored rows at a flush, one upsert each; a provisional block's additions are journaled as
the row before that block's, so a rollback restores the counters exactly as it restores rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table, and_, delete, insert, select, tuple_, update

from backend.db import table_of
from backend.indexer.models import JournalEntry

JOURNAL = table_of(JournalEntry)


def _key_clause(table: Table, key: dict[str, Any]) -> Any:
    return and_(*(table.c[name] == value for name, value in key.items()))


def _primary_key(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {column.name: row[column.name] for column in table.primary_key.columns}


class Store:
    """The handlers' view of the database within one indexing transaction."""

    def __init__(self, connection: Connection, provisional_from: int) -> None:
        self.connection = connection
        self.provisional_from = provisional_from
        self.touched_firms: set[str] = set()
        # per table: its columns (the keys of its first row) and the rows' values in that order
        self._inserts: dict[Table, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
        self._journal: list[dict[str, Any]] = []
        # per counter table: (key values, block) -> the amounts added, in the order first added
        self._increments: dict[Table, dict[tuple[tuple[Any, ...], int], list[int]]] = {}

    def insert(self, table: Table, row: dict[str, Any], *, block: int) -> None:
        buffered = self._inserts.get(table)
        if buffered is None:
            buffered = self._inserts[table] = (tuple(row), [])
        columns, values = buffered
        if len(row) != len(columns):
            raise ValueError(f"{table.name} rows must all carry the same columns: {columns}")
        values.append(_values_getter(columns)(row))
        if block >= self.provisional_from:
            self._journal.append(self._entry(block, table, _primary_key(table, row), None))

    def update(
        self, table: Table, key: dict[str, Any], changes: dict[str, Any], *, block: int
    ) -> None:
        self.flush()
        if block >= self.provisional_from:
            before = self.get(table, key)
            self._journal.append(self._entry(block, table, key, before))
        self.connection.execute(update(table).where(_key_clause(table, key)).values(**changes))

    def get(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        self.flush()
        row = (
            self.connection.execute(select(table).where(_key_clause(table, key))).mappings().first()
        )
        return dict(row) if row is not None else None

    def increment(
        self, table: Table, key: tuple[Any, ...], amounts: tuple[int, ...], *, block: int
    ) -> None:
        """Add ``amounts`` to the counters of ``table``'s row ``key`` (its primary key values,
        in column order; the other columns, in order, are the counters), creating it at zero."""
        added = self._increments.setdefault(table, {}).setdefault((key, block), [0] * len(amounts))
        for index, amount in enumerate(amounts):
            added[index] += amount

    def touch(self, *firms: str) -> None:
        """Mark firms whose credit records this batch changes."""
        self.touched_firms.update(firms)

    def flush(self) -> None:
        for table, (columns, values) in self._inserts.items():
            insert_values(self.connection, table, columns, values)
        self._inserts.clear()
        for table, increments in self._increments.items():
            self._add_counters(table, increments)
        self._increments.clear()
        if self._journal:
            bulk_insert(self.connection, JOURNAL, self._journal)
            self._journal = []

    def _add_counters(
        self, table: Table, increments: dict[tuple[tuple[Any, ...], int], list[int]]
    ) -> None:
        keys = [column.name for column in table.primary_key.columns]
        counters = [column.name for column in table.columns if column.name not in keys]
        totals: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(counters))
        provisional: dict[tuple[Any, ...], list[tuple[int, list[int]]]] = defaultdict(list)
        for (key, block), amounts in increments.items():
            total = totals[key]
            for index, amount in enumerate(amounts):
                total[index] += amount
            if block >= self.provisional_from:
                provisional[key].append((block, amounts))
        if provisional:
            self._journal_counters(table, keys, counters, provisional)
        upsert_counters(self.connection, table, keys, counters, totals)

    def _journal_counters(
        self,
        table: Table,
        keys: list[str],
        counters: list[str],
        provisional: dict[tuple[Any, ...], list[tuple[int, list[int]]]],
    ) -> None:
        """For each provisional block that adds to a row, the row as it was before that block's
        additions (None: it did not exist), so that a rollback past the block restores it."""
        stored = self._counter_rows(table, keys, list(provisional))
        for key, additions in provisional.items():
            named = dict(zip(keys, key, strict=True))
            row = stored.get(key)
            for block, amounts in sorted(additions, key=lambda added: added[0]):
                self._journal.append(self._entry(block, table, named, row))
                base = row or {**named, **dict.fromkeys(counters, 0)}
                row = {**base, **{c: base[c] + a for c, a in zip(counters, amounts, strict=True)}}

    def _counter_rows(
        self, table: Table, keys: list[str], wanted: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The stored rows of ``wanted`` keys, by key (one read per 500 keys)."""
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        columns = tuple_(*(table.c[name] for name in keys))
        for start in range(0, len(wanted), 500):
            rows = self.connection.execute(
                select(table).where(columns.in_(wanted[start : start + 500]))
            ).mappings()
            for row in rows:
                found[tuple(row[name] for name in keys)] = dict(row)
        return found

    @staticmethod
    def _entry(
        block: int, table: Table, key: dict[str, Any], before: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {"block_number": block, "table_name": table.name, "row_key": key, "before": before}


def upsert_counters(
    connection: Connection,
    table: Table,
    keys: list[str],
    counters: list[str],
    totals: dict[tuple[Any, ...], list[int]],
) -> None:
    """Add ``totals`` (key values -> counter amounts) to ``table``'s rows, creating missing rows:
    one ``INSERT ... ON CONFLICT DO UPDATE`` per row, in one ``executemany`` (SQLite and
    PostgreSQL spell it alike)."""
    if not totals:
        return
    placeholder = "?" if connection.dialect.name == "sqlite" else "%s"
    columns = [*keys, *counters]
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(placeholder for _ in columns)
    added = ", ".join(f'"{c}" = "{table.name}"."{c}" + excluded."{c}"' for c in counters)
    conflict = ", ".join(f'"{key}"' for key in keys)
    sql = (
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) '
        f"ON CONFLICT ({conflict}) DO UPDATE SET {added}"
    )
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, [(*key, *total) for key, total in sorted(totals.items())])
    finally:
        cursor.close()


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows, which must all carry the same keys, with one ``executemany``."""
    if rows:
        columns = tuple(rows[0])
        insert_values(connection, table, columns, map(_values_getter(columns), rows))


def insert_values(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    values: Iterable[tuple[Any, ...]],
) -> None:
    """Insert rows given as values in ``columns`` order, with one driver-level ``executemany``
    on the connection's own DBAPI connection, so in its transaction.

    SQLAlchemy's own ``insert(table), rows`` spends most of its time compiling parameters row by
    row; on the indexer's hot path that costs more than the database does. ``values`` may be
    a generator: rows are then made while they are written and never all held at once. JSON
    columns are serialised here.
    """
    sql, json_positions = _insert_statement(connection.dialect.name, table, columns)
    parameters: Iterable[Sequence[Any]] = (
        _json_serialised(values, json_positions) if json_positions else values
    )
    cursor = connection.connection.cursor()
    try:
        # typed as a Sequence, but both drivers (sqlite3, psycopg) take any iterable
        cursor.executemany(sql, parameters)  # type: ignore[arg-type]
    finally:
        cursor.close()


@lru_cache(maxsize=256)
def _values_getter(columns: tuple[str, ...]) -> Any:
    """A row dict's values in ``columns`` order, always as a tuple (even for one column)."""
    if len(columns) == 1:
        name = columns[0]
        return lambda row: (row[name],)
    return itemgetter(*columns)


@lru_cache(maxsize=256)
def _insert_statement(
    dialect: str, table: Table, columns: tuple[str, ...]
) -> tuple[str, tuple[int, ...]]:
    placeholder = "?" if dialect == "sqlite" else "%s"
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(placeholder for _ in columns)
    json_positions = tuple(
        index for index, column in enumerate(columns) if isinstance(table.c[column].type, JSON)
    )
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', json_positions


def _json_serialised(
    values: Iterable[tuple[Any, ...]], json_positions: tuple[int, ...]
) -> Iterator[list[Any]]:
    for value in values:
        row = list(value)
        for index in json_positions:
            if row[index] is not None:
                row[index] = orjson.dumps(row[index]).decode()
        yield row


def roll_back(connection: Connection, tables: dict[str, Table], after_block: int) -> int:
    """Undo every journaled write made for blocks after ``after_block``, newest first."""
    entries = (
        connection.execute(
            select(JOURNAL)
            .where(JOURNAL.c.block_number > after_block)
            .order_by(JOURNAL.c.id.desc())
        )
        .mappings()
        .all()
    )
    for entry in entries:
        table = tables[entry["table_name"]]
        key = entry["row_key"]
        connection.execute(delete(table).where(_key_clause(table, key)))
        if entry["before"] is not None:
            connection.execute(insert(table).values(**entry["before"]))
    connection.execute(delete(JOURNAL).where(JOURNAL.c.block_number > after_block))
    return len(entries)


def prune_journal(connection: Connection, final_block: int) -> None:
    """Entries for blocks at or below the final block can never be needed again."""
    connection.execute(delete(JOURNAL).where(JOURNAL.c.block_number <= final_block))
