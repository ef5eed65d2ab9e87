"""The API's description and its documentation pages, /docs (Swagger UI) and /redoc (ReDoc),
served with their scripts and styles from this app itself, so that they render on an intranet
without internet. The assets are the ones ``fastapi-offline`` ships (a pinned wheel): nothing is
fetched from a CDN at build or run time."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs-assets"
DOCS_PATH, REDOC_PATH, OAUTH2_REDIRECT_PATH = "/docs", "/redoc", "/docs/oauth2-redirect"
TITLE = "scf-ledger"

DESCRIPTION = """\
A supply-chain finance ledger: suppliers, core enterprises and banks record orders, deliveries
and invoices on a permissioned chain, each signed by the firm's own key (EIP-712); receivables
issued from confirmed invoices are split down the tiers, financed and settled; a bank with a
firm's consent reads its credit profile, computed from the indexed ledger, and asks for credit
decisions that are anchored on chain.

**Conventions.** JSON in snake_case. Amounts are integers of minor units (fen, cents) of the
`currency` beside them (ISO 4217 numeric: 156 CNY, 840 USD); up to 2^53 − 1 as a JSON number,
any size as a string of 1 to 18 digits. Addresses are checksummed. Every error is
`{"error": {"code", "message"}}` with a 4xx status. Writes answer 202 with a submission to follow
at `GET /submissions/{id}`. Lists answer `{"data": [...], "count": N}`, newest first, paged by
`offset` and `limit` (at most 200).

**Signing in.** `POST /auth/challenge {address}`, sign the SIWE message with the firm's key,
`POST /auth/token {message, signature}`: send the token as `Authorization: Bearer <token>`.
"""

TAGS = [
    {"name": "auth", "description": "Sign in with Ethereum (EIP-4361): challenge, token."},
    {
        "name": "firms",
        "description": "The firm directory: legal names, the unified social credit code in "
        "clear (its keccak256 on chain), region, industry; registration, suspension and "
        "reactivation by the operator.",
    },
    {
        "name": "trades",
        "description": "Orders, deliveries and invoices signed by seller and buyer; proposals "
        "the buyer confirms or rejects; payments against invoices.",
    },
    {
        "name": "receivables",
        "description": "Receivables issued from invoices to core enterprises: split or "
        "transferred down the tiers, financed by banks, settled or marked defaulted.",
    },
    {
        "name": "financing",
        "description": "A bank's financing offer on a consenting firm's receivable, signed by "
        "the bank; the holder accepts it with its own signature of the same terms.",
    },
    {
        "name": "consents",
        "description": "A firm's signed consent lets a bank read its records (scope bits: 1 "
        "credit profile, 2 documents, 4 decisions) until it expires or is revoked.",
    },
    {
        "name": "credit",
        "description": "A firm's credit profile from the indexed ledger, each figure with the "
        "evidence it is computed from.",
    },
    {
        "name": "decisions",
        "description": "Credit decisions a bank asks for (approve, decline or refer, with "
        "limit, price, PD and reasons), stored with their snapshot and anchored on chain.",
    },
    {
        "name": "evidence",
        "description": "What a record rests on: transaction, block, log, typed data and "
        "signatures, for anyone to verify against the chain.",
    },
    {
        "name": "documents",
        "description": "Trade documents, stored encrypted, read by the parties and banks with "
        "consent.",
    },
    {
        "name": "attestations",
        "description": "Industrial-internet attestations: devices registered by oracles, carriers "
        "appointed by trade parties, signed production and delivery attestations.",
    },
    {"name": "submissions", "description": "The status of any accepted write (a 202's id)."},
    {"name": "ops", "description": "Liveness, readiness, metrics and the ledger's addresses."},
]


def assets_directory() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """/docs, its OAuth2 redirect, /redoc, and the assets they load (same origin only)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_directory()), name="docs-assets")
    openapi_url = str(app.openapi_url)

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{TITLE} — API",
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            # No badge from validator.swagger.io: an intranet page fetches nothing outside.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{TITLE} — API reference",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
