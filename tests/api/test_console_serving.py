"""The console's static files at ``/``: its pages for a browser, never in place of an API path;
without a build, ``/`` says how to make one and the API works as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import backend.console
from backend.app import create_app, openapi_document

pytestmark = pytest.mark.chain

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "assets" / "app.js").write_text("console.log('app')")
    monkeypatch.setattr(backend.console, "CONSOLE_DIST", tmp_path)
    return tmp_path


@pytest.fixture
def console_client(services, built) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as client:
        yield client


def test_the_console_is_served_at_root_and_its_routes(console_client, services):
    for path in ("/", "/bank", "/sme/anything"):
        page = console_client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert "<title>console</title>" in page.text
        csp = page.headers["content-security-policy"]
        node = str(services.w3.provider.endpoint_uri).rsplit("/", 1)[0]
        assert f"connect-src 'self' {node}" in csp.rstrip("/")
        assert "script-src 'self';" in csp
    asset = console_client.get("/assets/app.js")
    assert asset.status_code == 200 and "console.log" in asset.text


def test_the_console_never_shadows_the_api(console_client):
    # An API segment keeps the JSON 404, even for a browser asking for HTML.
    for path in ("/trades/0x" + "00" * 32, "/docs/nothing", "/ledger/x"):
        answer = console_client.get(path, headers=HTML)
        assert 400 <= answer.status_code < 500, path  # 401 unsigned, 404, 422: the API answers
        assert "error" in answer.json(), path
    # A client that asks for JSON, another method, or a file name, gets the API's answer.
    assert console_client.get("/bank", headers={"accept": "application/json"}).status_code == 404
    assert console_client.post("/bank", headers=HTML).json()["error"]["code"] == "not_found"
    assert console_client.get("/missing.js", headers=HTML).status_code == 404
    assert console_client.get("/healthz", headers=HTML).json() == {"status": "ok"}
    assert "chain_id" in console_client.get("/ledger").json()


def test_without_a_build_root_says_how_to_build(services, tmp_path, monkeypatch):
    monkeypatch.setattr(backend.console, "CONSOLE_DIST", tmp_path / "absent")
    with TestClient(create_app(services)) as client:
        page = client.get("/", headers=HTML)
        assert page.status_code == 200 and "make console-build" in page.text
        assert client.get("/bank", headers=HTML).status_code == 200  # the same advice
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/assets/app.js").status_code == 404


def test_ledger_names_the_node_a_browser_reads(client, services):
    info = client.get("/ledger").json()
    assert info["rpc_url"] == str(services.w3.provider.endpoint_uri)


def test_the_openapi_document_needs_no_node_or_database():
    document = openapi_document()
    assert "/trades" in document["paths"] and "/auth/challenge" in document["paths"]
    assert "/" not in document["paths"]


def test_an_unknown_path_under_an_included_router_keeps_the_json_404(console_client):
    # The routers' segments count too (FastAPI keeps an included router as one entry).
    answer = console_client.get("/firms/nobody/else", headers=HTML)
    assert 400 <= answer.status_code < 500
