"""Lists in one shape: ``{"data": [...], "count": N}``, paged by ``offset`` and ``limit``.

``count`` is every item the caller may see that matches the filters, not only this page, so a
client pages by offset until ``offset >= count``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10**9


class Page(BaseModel, Generic[T]):
    data: list[T] = Field(description="this page, newest first")
    count: int = Field(description="all the items that match, not only this page")


@dataclass(frozen=True)
class Paging:
    offset: int
    limit: int


def paging(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"items in the page (at most {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
) -> Paging:
    return Paging(offset, limit)


PagingDep = Annotated[Paging, Depends(paging)]


def fetch_page(
    session: Session, query: Any, paging: Paging, *order_by: Any
) -> tuple[list[Any], int]:
    """One page of ``query`` in ``order_by`` order, and how many rows the whole query has."""
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*order_by).offset(paging.offset).limit(paging.limit)).all()
    return list(rows), int(count)


def day_start(day: dt.date) -> int:
    """The first second of ``day`` (UTC), as a unix time."""
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())


def day_end(day: dt.date) -> int:
    """The last second of ``day`` (UTC): a ``to`` date includes the whole day."""
    return day_start(day) + 86_399


def day_window(column: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
    """SQL: the unix time ``column`` on or after the day ``start`` and on or before the day
    ``end`` (UTC, whole days); either bound may be absent."""
    conditions: list[Any] = []
    if start is not None:
        conditions.append(column >= day_start(start))
    if end is not None:
        conditions.append(column <= day_end(end))
    return conditions
