"""Documents are downloads, never pages: an uploaded text/html used to be served as text/html
from the API's origin (stored XSS next to a console). And every answer carries security headers."""

from __future__ import annotations

import hashlib
import os
from urllib.parse import quote

import pytest
from sqlalchemy import inspect, text

from backend.db import make_engine
from backend.enums import Role
from backend.migrations import upgrade
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain

HTML = b"<html><body><script>fetch('/credit-decisions').then(r => r.text())</script></body></html>"


def record_document(ledger, client, relayer, indexer, content: bytes):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    trade = make_trade(seller, buyer, doc_hash=hashlib.sha256(content).digest())
    headers = sign_in(client, seller)
    answer = client.post("/trades", json=signed_body(ledger, trade, seller, buyer), headers=headers)
    assert answer.status_code == 202, answer.text
    relayer.run_once()
    indexer.sync()
    return headers, sign_in(client, buyer)


def assert_security_headers(answer) -> None:
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_an_uploaded_html_page_is_served_as_an_attachment_of_opaque_bytes(
    ledger, client, relayer, indexer
):
    content = HTML + os.urandom(16)
    seller, buyer = record_document(ledger, client, relayer, indexer, content)
    name = '../../<img src=x onerror=alert(1)>"\u202egnp.html'
    upload = client.post("/documents", files={"file": (name, content, "text/html")}, headers=seller)
    assert upload.status_code == 201, upload.text
    stored = upload.json()
    assert stored["content_type"] == "application/octet-stream"
    assert "/" not in stored["filename"] and "\u202e" not in stored["filename"]

    read = client.get(f"/documents/{stored['doc_hash']}", headers=buyer)
    assert read.status_code == 200 and read.content == content
    assert read.headers["content-type"] == "application/octet-stream"
    disposition = read.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(stored['filename'], safe='')}" in disposition
    assert "<" not in disposition.split("filename*=")[0]  # the ASCII fallback is inert
    assert "sandbox" in read.headers["content-security-policy"]
    assert_security_headers(read)


def test_allowed_types_keep_their_type_and_the_original_name(ledger, client, relayer, indexer):
    content = b"%PDF-1.7 " + os.urandom(32)
    seller, buyer = record_document(ledger, client, relayer, indexer, content)
    upload = client.post(
        "/documents",
        files={"file": ("发票 2026-0042.pdf", content, "application/pdf")},
        headers=seller,
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["filename"] == "发票 2026-0042.pdf"
    read = client.get(f"/documents/{upload.json()['doc_hash']}", headers=buyer)
    assert read.headers["content-type"] == "application/pdf"
    assert read.headers["content-disposition"] == (
        'attachment; filename="___2026-0042.pdf"; '
        f"filename*=UTF-8''{quote('发票 2026-0042.pdf', safe='')}"
    )


def test_every_answer_carries_the_security_headers(client):
    for path in ("/ledger", "/openapi.json", "/no-such-page", "/credit-decisions"):
        answer = client.get(path)
        assert_security_headers(answer)
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        assert "cdn.jsdelivr.net" not in answer.headers["content-security-policy"]
    refused = client.post("/auth/challenge", content=b"[" * 100 + b"]" * 100)
    assert_security_headers(refused)
    # Swagger UI and ReDoc start with an inline script (allowed on those two pages only) and load
    # their bundles from this origin (tests/api/test_docs.py checks every asset).
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert_security_headers(page)
        policy = page.headers["content-security-policy"]
        assert "script-src 'self' 'unsafe-inline';" in policy
        assert "https:" not in policy and "cdn.jsdelivr.net" not in page.text


def test_the_migration_adds_the_file_name_to_documents_stored_before(unmigrated_database_url):
    url = unmigrated_database_url
    upgrade(url, "0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO document (doc_hash, trade_id, content_type, size, nonce, "
                "ciphertext, uploaded_by, uploaded_at) VALUES ('0x01', '0x02', 'text/html', "
                "1, :nonce, :ciphertext, '0x03', 0)"
            ),
            {"nonce": b"n" * 12, "ciphertext": b"c"},
        )
    upgrade(url)
    columns = {column["name"] for column in inspect(engine).get_columns("document")}
    assert "filename" in columns
    with engine.connect() as connection:
        row = connection.execute(text("SELECT filename FROM document")).one()
    assert row.filename is None  # served as "document"
    engine.dispose()
