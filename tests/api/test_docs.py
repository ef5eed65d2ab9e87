"""The documentation pages render without internet: /docs and /redoc reference only assets of
this origin, and the app serves each of them; the schema describes itself and its tags."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.chain


class _References(HTMLParser):
    """Every src and href in a page, and the URLs its inline scripts load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        self.urls += [
            value for name, value in attrs if name in ("src", "href", "spec-url") and value
        ]

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:  # Swagger UI's start-up script names the schema's URL
            self.urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", data)


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_assets_of_this_origin(client, page):
    answer = client.get(page)
    assert answer.status_code == 200
    urls = _references(answer.text)
    scripts = [url for url in urls if url.endswith(".js")]
    assert scripts, answer.text  # the page does load its bundle
    assert not re.search(r"https?://|//[a-z]", answer.text.replace("http://www.w3.org", ""))
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    bundle = client.get(scripts[0])
    assert "javascript" in bundle.headers["content-type"]
    assert len(bundle.content) > 100_000  # the real bundle, not a placeholder
    assert "https:" not in answer.headers["content-security-policy"]


def test_swagger_ui_loads_its_style_sheet_and_the_schema(client):
    urls = _references(client.get("/docs").text)
    assert any(url.endswith(".css") for url in urls)
    assert "/openapi.json" in urls
    assert '"validatorUrl": null' in client.get("/docs").text  # no badge from swagger.io
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_the_schema_describes_the_api_and_every_tag(client):
    schema = client.get("/openapi.json").json()
    assert "supply-chain finance ledger" in schema["info"]["description"]
    described = {tag["name"]: tag["description"] for tag in schema["tags"]}
    used = {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }
    assert used <= set(described), used - set(described)
    assert all(len(text) > 20 for text in described.values())
    assert not any(path.startswith("/docs") or path == "/redoc" for path in schema["paths"])


def test_the_pages_scf_serve_announces_are_served(client):
    from backend.server import SERVED_PAGES

    for _, path in SERVED_PAGES:
        if path == "/":
            continue  # the console: served once its build is in (the console's own tests)
        assert client.get(path).status_code in (200, 503), path  # /readyz: 503 with reasons


def _example_path(path: str) -> str:
    """A path of the schema with each parameter filled in with a well-formed value."""
    filled = path.replace("{address}", "0x" + "ab" * 20).replace("{figure}", "sales_365d")
    return re.sub(r"\{[a-z_]+\}", "0x" + "12" * 32, filled)


def _body_schema(schema, operation):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    body = content["application/json"]["schema"]
    while "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


def test_every_documented_request_example_passes_request_validation(client, operator_headers):
    """Each JSON request body publishes an example, and the API takes it: whatever it answers
    (the example's firms and signatures are made up: a business refusal), never 422
    invalid_request, the answer of a body that does not fit the schema."""
    schema = client.get("/openapi.json").json()
    posted = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = _body_schema(schema, operation)
            if body is None:
                continue
            assert body.get("examples"), f"{method.upper()} {path} publishes no example"
            for example in body["examples"]:
                answer = client.request(
                    method.upper(), _example_path(path), json=example, headers=operator_headers
                )
                assert answer.status_code < 500, (path, answer.text)
                refused_by_schema = answer.status_code == 422 and (
                    answer.json()["error"]["code"] == "invalid_request"
                )
                assert not refused_by_schema, (method, path, example, answer.text)
                posted += 1
    assert posted >= 15
