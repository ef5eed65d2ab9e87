"""A firm's counterparty network: its direct buyers and sellers in the indexed verified invoices
as of a time, one edge per (seller, buyer, currency) with the amount and the number of invoices.

Amounts of different currencies are never added: a counterparty the firm trades with in two
currencies is two edges. The edges are ranked by amount (each in its own currency) and the top
``limit`` are returned with ``count``, the number of all edges; the nodes are the firm and the
counterparties of the edges returned, named from the firm directory.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Table, select

from backend.credit import queries
from backend.db import table_of
from backend.firms.models import FirmDirectoryEntry

DIRECTORY: Table = table_of(FirmDirectoryEntry)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Role = Literal["firm", "buyer", "seller", "both"]


class NetworkNode(BaseModel):
    firm: str = Field(description="the firm's address")
    legal_name_zh: str | None = Field(description="its name in the directory, if listed there")
    legal_name_en: str | None
    role: Role = Field(
        description="`firm`: the firm itself; else what the counterparty is to it: it bought "
        "from the firm (`buyer`), sold to it (`seller`), or `both`"
    )


class NetworkEdge(BaseModel):
    seller: str
    buyer: str
    amount: int = Field(description="the verified invoices' total, minor units of `currency`")
    currency: int = Field(description="ISO 4217 numeric code")
    count: int = Field(description="how many verified invoices")


class CounterpartyNetwork(BaseModel):
    firm: str
    as_of: int = Field(description="Unix block time: invoices verified on chain by then")
    nodes: list[NetworkNode]
    edges: list[NetworkEdge] = Field(description="the largest edges by amount, at most `limit`")
    count: int = Field(description="all the firm's edges, not only those listed")


def network_of(connection: Connection, firm: str, as_of: int, limit: int) -> CounterpartyNetwork:
    edges = [
        NetworkEdge(seller=seller, buyer=buyer, amount=amount, currency=currency, count=count)
        for seller, buyer, currency, amount, count in queries.counterparty_edges(
            connection, firm, as_of
        )
    ]
    # largest first; ties in a fixed order so that a page is the same on every read
    edges.sort(key=lambda e: (-e.amount, e.currency, e.seller, e.buyer))
    shown = edges[:limit]
    return CounterpartyNetwork(
        firm=firm, as_of=as_of, nodes=_nodes(connection, firm, shown), edges=shown, count=len(edges)
    )


def _nodes(connection: Connection, firm: str, edges: list[NetworkEdge]) -> list[NetworkNode]:
    roles: dict[str, set[str]] = {firm: {"firm"}}
    for edge in edges:
        if edge.seller == firm:
            roles.setdefault(edge.buyer, set()).add("buyer")
        else:
            roles.setdefault(edge.seller, set()).add("seller")
    names = {
        row.address: row
        for row in connection.execute(
            select(DIRECTORY.c.address, DIRECTORY.c.legal_name_zh, DIRECTORY.c.legal_name_en).where(
                DIRECTORY.c.address.in_(sorted(roles))
            )
        )
    }
    return [
        NetworkNode(
            firm=address,
            legal_name_zh=names[address].legal_name_zh if address in names else None,
            legal_name_en=names[address].legal_name_en if address in names else None,
            role=_role(held),
        )
        for address, held in roles.items()
    ]


def _role(held: set[str]) -> Role:
    if "firm" in held:
        return "firm"
    if held == {"buyer", "seller"}:
        return "both"
    return "buyer" if "buyer" in held else "seller"
