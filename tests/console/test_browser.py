"""The console in a real browser (Debian's headless chromium, driven by Playwright) against a real
``scf demo --serve``: the API, relayer and indexer on the demo's anvil, signed in with the printed
keystores. Each role's main flow, in zh-CN and in English, with no error in the browser's console.

Skipped, with the reason, when chromium, Playwright or the console build is missing
(``make test`` builds the console and installs chromium when run as root).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account

from backend.chain.anvil import free_port
from backend.console import CONSOLE_DIST
from backend.firms.credit_code import make_credit_code
from backend.sdk.client import ApiError, LedgerClient
from backend.sdk.signer import Signer
from backend.settings import SOURCE_ROOT
from tests.factories import make_trade

pytestmark = pytest.mark.chain

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# TOOLCHAIN.md: without the networking flags chromium floods the closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = SOURCE_ROOT / "docs" / "screenshots"
START_SECONDS = 900  # the demo trains a quick model first when models/ has none
WAIT_MS = 90_000
WORDS = {
    "zh-CN": {
        "sme": "供应商工作台",
        "core": "核心企业工作台",
        "bank": "银行工作台",
        "operator": "运营方工作台",
    },
    "en": {
        "sme": "Supplier workspace",
        "core": "Core enterprise workspace",
        "bank": "Bank workspace",
        "operator": "Operator workspace",
    },
}


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "no chromium (make test installs Debian's chromium when run as root)"
    if not (CONSOLE_DIST / "index.html").is_file():
        return "the console is not built (make console-build)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


if (reason := _skip_reason()) is not None:
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


class Demo:
    """The running ``scf demo --serve``: its URL and the printed logins."""

    def __init__(self, url: str, logins: dict[str, dict[str, str]]) -> None:
        self.url = url
        self.logins = logins

    def client(self, role: str) -> LedgerClient:
        login = self.logins[role]
        key = Account.decrypt(json.loads(Path(login["keystore"]).read_text()), login["password"])
        client = LedgerClient(self.url, Signer.from_key(key))
        client.sign_in()
        return client


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    data = tmp_path_factory.mktemp("console-demo")
    port = free_port()
    # The demo scores with the checkout's models/ (it trains a quick model there if none).
    env = {**os.environ, "SCF_DATA_DIR": str(data)}
    log = (data / "demo.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "scf"), "demo", "--serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=SOURCE_ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    manifest = data / "demo" / "keystores" / "firms.json"
    try:
        _wait_ready(process, url, manifest, data / "demo.log")
        logins = {login["role"]: login for login in json.loads(manifest.read_text())}
        yield Demo(url, logins)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, manifest: Path, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scf demo --serve exited {process.returncode}:\n{log.read_text()[-3000:]}")
        if manifest.exists():
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(1)
    pytest.fail(f"scf demo --serve did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Tab:
    """A fresh browser context in one language that records every console error."""

    def __init__(self, browser: Browser, demo: Demo, language: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.add_init_script(f"localStorage.setItem('scf.lang', '{language}')")
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.demo = demo
        self.language = language

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def sign_in(self, role: str) -> Page:
        login = self.demo.logins[role]
        page = self.page
        page.goto(self.demo.url + "/")
        page.set_input_files("input[name=keystore]", login["keystore"])
        page.fill("input[name=password]", login["password"])
        page.click("[data-testid=signin] button[type=submit]")
        page.wait_for_selector(f"[data-testid=page-{role}]", timeout=WAIT_MS)
        assert page.get_by_role("heading", name=WORDS[self.language][role]).is_visible()
        return page

    def screenshot(self, role: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{role}-{self.language}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"console errors ({self.language}): {self.errors}"


@pytest.fixture
def tabs(browser: Browser, demo: Demo) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.close()


def _open(tabs: list[Tab], browser: Browser, demo: Demo, language: str) -> Tab:
    tab = Tab(browser, demo, language)
    tabs.append(tab)
    return tab


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_each_role_does_its_work_in_the_browser(
    browser: Browser, demo: Demo, tabs: list[Tab], language: str, tmp_path: Path
) -> None:
    sme, core, bank = (demo.logins[r]["address"] for r in ("sme", "core", "bank"))

    # The supplier records an invoice: SHA-256 of the document in the page, typed data signed.
    tab = _open(tabs, browser, demo, language)
    page = tab.sign_in("sme")
    document = tmp_path / "invoice.pdf"
    document.write_bytes(os.urandom(2048))
    form = page.locator("[data-testid=record-invoice]")
    _pick(form.locator("select[name=buyer]"), core)
    names = {"zh-CN": "华信汽车集团有限公司", "en": "Huaxin Automotive Group Co., Ltd."}
    chosen = form.locator("select[name=buyer] option:checked").inner_text()
    assert chosen.startswith(names[language]), chosen  # the directory's name, not an address
    form.locator("[name=amount]").fill("12,345.67")
    form.locator("[name=uscc]").fill("91330000MA2XXXXX1K")
    form.locator("[name=invoice_number]").fill(f"{language}-{time.time_ns()}")
    form.locator("[name=document]").set_input_files(str(document))
    form.locator("button[type=submit]").click()
    trade_id = page.locator("[data-testid=trade-id]").inner_text(timeout=WAIT_MS)
    assert trade_id.startswith("0x") and len(trade_id) == 66
    recorded = demo.client("sme").trade(trade_id)
    assert recorded["trade"]["amount"] == 1_234_567 and recorded["ledger_status"] == "proposed"

    # ... and gives the bank its consent for the credit profile and decisions.
    # The bank is picked from the directory; the nonce is read from the node.
    consent = page.locator("[data-testid=consents]")
    _pick(consent.locator("select[name=bank]"), bank)
    consent.locator("button[type=submit]").click()
    consent_id = consent.locator("[data-testid=consent-accepted] code").inner_text(timeout=WAIT_MS)
    sme_tab = tab

    # ... and passes ¥100.00 of a receivable it holds down to one of its own suppliers, keeping
    # the rest (the Split typed data signed in the page, its nonce read from the node).
    sme_client = demo.client("sme")
    listed = sme_client.receivables(holder=sme, limit=100)["data"]
    held_before = {r["receivable_id"] for r in listed}
    held = page.locator("[data-testid=held]")
    held.locator("[data-testid=split-open]").first.click(timeout=WAIT_MS)
    split = held.locator("[data-testid=split-form]")
    picker = split.locator("select[name=to_0]")
    picker.wait_for(timeout=WAIT_MS)
    _until(lambda: picker.locator("option").count() > 1)
    picker.select_option(index=1)
    split.locator("[name=amount_0]").fill("100.00")
    split.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=split-queued]", timeout=WAIT_MS)

    def split_landed() -> bool:
        held_now = sme_client.receivables(holder=sme, limit=100)["data"]
        return any(r["receivable_id"] not in held_before for r in held_now)

    _until(split_landed)  # the piece it kept is a new receivable it holds
    page.locator("[data-testid=sales-chart] canvas").wait_for(timeout=WAIT_MS)
    tab.screenshot("sme")

    # The core enterprise confirms it (signing the same typed data in its own page).
    tab = _open(tabs, browser, demo, language)
    page = tab.sign_in("core")
    inbox = page.locator("[data-testid=inbox]")
    inbox.locator("[name=trade_id]").fill(trade_id)
    inbox.locator("button[type=submit]").click()
    page.locator("[data-testid=confirm]").click()
    page.wait_for_selector("[data-testid=trade-answered]", timeout=WAIT_MS)
    tab.screenshot("core")
    _until(lambda: demo.client("sme").trade(trade_id)["ledger_status"] == "verified")

    # ── payments and settlement (issue 15): the supplier settles a receivable the core owes ──
    _settlement_in_browser(tabs, browser, demo, language)

    # The bank reads the profile once the consent is on the indexed chain, verifies a figure's
    # evidence in the page (signatures recovered, the transaction read from the node) and asks
    # for a decision.
    bank_client = demo.client("bank")
    _until(lambda: _readable(bank_client, sme))
    tab = _open(tabs, browser, demo, language)
    page = tab.sign_in("bank")
    page.locator("[name=firm]").fill(sme)
    page.locator("[data-testid=consenting-firms] button[type=submit]").click()
    page.locator("[data-testid=latest-decision]").wait_for(timeout=WAIT_MS)  # or that none exists
    page.locator("[data-testid=evidence-sales_365d]").click(timeout=WAIT_MS)
    attested = {"zh-CN": "核验覆盖的销售占比", "en": "Sales covered by attested facts"}
    assert attested[language] in page.locator("[data-testid=attested-figures]").inner_text()
    page.locator("[data-testid=verify]").first.click(timeout=WAIT_MS)
    page.wait_for_selector("[data-testid=verified]", timeout=WAIT_MS)
    assert page.locator("[data-testid=not-verified]").count() == 0
    form = page.locator("[data-testid=decision-form]")
    form.locator("[name=decision_amount]").fill("100000")
    form.locator("button[type=submit]").click()
    decision = page.locator("[data-testid=decision]")
    decision.wait_for(timeout=WAIT_MS)
    outcomes = {"zh-CN": ("批准", "转人工审核", "拒绝"), "en": ("Approve", "Refer", "Decline")}
    assert any(word in decision.inner_text() for word in outcomes[language])
    tab.screenshot("bank")

    # ── Financing, co-signed in two browsers (issue 15): the bank offers, the supplier accepts.
    _finance_in_browser(tabs, browser, demo, language, page, trade_id)
    # ── receivable trees and the counterparty network (issue 15) ──
    _tree_in_browser(tabs, browser, demo, language)
    _network_in_browser(tabs, browser, demo, language)

    # The operator registers a firm with its names, then suspends it once it is indexed.
    newcomer = Account.create().address
    code = make_credit_code(f"9133{time.time_ns() % 10**13:013d}")
    tab = _open(tabs, browser, demo, language)
    page = tab.sign_in("operator")
    register = page.locator("[data-testid=register]")
    register.locator("[name=address]").fill(newcomer)
    register.locator("[name=uscc]").fill(code)
    name = f"嘉兴新晨精密制造{code[-6:]}有限公司"  # the test runs once per language
    register.locator("[name=legal_name_zh]").fill(name)
    register.locator("[name=legal_name_en]").fill("Jiaxing Xinchen Precision Co., Ltd.")
    register.locator("[name=region]").fill("浙江省嘉兴市")
    register.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=registered]", timeout=WAIT_MS)
    operator_client = demo.client("operator")

    def found(query: str) -> list[tuple[str, str, str]]:
        firms = operator_client.firms(q=query)["data"]
        return [(f["address"], f["uscc"], f["status"]) for f in firms]

    _until(lambda: found(name) == [(newcomer, code, "active")])  # by its name, once indexed
    standing = page.locator("[data-testid=standing]")
    standing.locator("[name=standing_address]").fill(newcomer)
    standing.locator("button").first.click()
    page.wait_for_selector("[data-testid=standing-done]", timeout=WAIT_MS)
    _until(lambda: found(code) == [(newcomer, code, "suspended")])
    assert page.locator("[data-testid=readiness]").is_visible()
    tab.screenshot("operator")

    # Last, the supplier finds its consent among those it gave and revokes it: the bank can no
    # longer read the profile.
    _revoke_in_browser(sme_tab.page, consent_id)
    _until(lambda: not _readable(bank_client, sme))


def _revoke_in_browser(page: Any, consent_id: str) -> None:
    given = page.locator("[data-testid=consents]")
    row = given.locator(f"tr[data-consent='{consent_id}']")

    def listed() -> bool:
        given.locator("[data-testid=consents-refresh]").click()
        return row.locator("[data-testid=revoke]").count() == 1

    _until(listed)
    row.locator("[data-testid=revoke]").click()


def _tree_in_browser(tabs: list[Tab], browser: Browser, demo: Demo, language: str) -> None:
    """The supplier opens the tree of the receivable it split: the parts it may see, drawn."""
    sme = demo.logins["sme"]["address"]
    held = demo.client("sme").receivables(holder=sme, limit=100)["data"]
    row, piece = next((i, r) for i, r in enumerate(held) if r["parent_id"] is not None)
    page = _open(tabs, browser, demo, language).sign_in("sme")
    page.locator("[data-testid=held] [data-testid=tree-open]").nth(row).click(timeout=WAIT_MS)
    tree = page.locator(f"[data-testid=receivable-tree][data-root='{piece['root_id']}']")
    tree.locator("canvas").wait_for(timeout=WAIT_MS)
    assert int(tree.get_attribute("data-nodes") or 0) >= 2  # the split one and the piece kept


def _network_in_browser(tabs: list[Tab], browser: Browser, demo: Demo, language: str) -> None:
    """The bank's profile of the supplier draws its counterparty network, a tree of a receivable
    it holds and its days beyond terms by month."""
    page = _open(tabs, browser, demo, language).sign_in("bank")
    page.locator("[name=firm]").fill(demo.logins["sme"]["address"])
    page.locator("[data-testid=consenting-firms] button[type=submit]").click()
    network = page.locator("[data-testid=counterparty-network]")
    network.locator("canvas").wait_for(timeout=WAIT_MS)
    assert int(network.get_attribute("data-edges") or 0) >= 1
    page.locator("[data-testid=firm-trees] [data-testid=receivable-tree] canvas").wait_for(
        timeout=WAIT_MS
    )
    page.locator("[data-testid=delays-chart]").wait_for(timeout=WAIT_MS)


def _confirmed_invoice(demo: Demo) -> str:
    """A second invoice of the supplier to the core, signed by both through the API client (the
    one of the browser's own flow is the bank's to finance), and its receivable issued."""
    sme_client, core_client = demo.client("sme"), demo.client("core")
    trade = make_trade(demo.logins["sme"]["address"], demo.logins["core"]["address"])
    trade_id = sme_client.submit_trade(trade, buyer_signature=core_client.sign_trade(trade))
    _until(lambda: sme_client.trade(trade_id)["ledger_status"] == "verified")
    sme_client.issue_receivable(trade_id)
    return trade_id


def _settlement_in_browser(tabs: list[Tab], browser: Browser, demo: Demo, language: str) -> None:
    """The supplier records the settlement of a receivable the core owes in the page (Settle
    signed there); the core sees its payables calendar, and that receivable SETTLED with its
    late days."""
    sme, core = demo.logins["sme"]["address"], demo.logins["core"]["address"]
    sme_client = demo.client("sme")
    trade_id = _confirmed_invoice(demo)

    def held(state: str) -> dict[str, Any] | None:
        rows = sme_client.receivables(holder=sme, state=state, limit=100)["data"]
        return next((r for r in rows if r["receivable_id"] == trade_id), None)

    _until(lambda: held("confirmed") is not None)
    assert held("confirmed")["obligor"] == core  # type: ignore[index]
    # The core owes it: on its payables calendar (the chart, and the table's row).
    page = _open(tabs, browser, demo, language).sign_in("core")
    page.locator("[data-testid=payables-calendar] canvas").wait_for(timeout=WAIT_MS)
    owed = f"[data-testid=payable-row][data-receivable='{trade_id}']"
    page.locator(owed).wait_for(timeout=WAIT_MS)
    page = _open(tabs, browser, demo, language).sign_in("sme")
    row = page.locator(f"[data-testid=settle-row][data-receivable='{trade_id}']")
    row.locator("[data-testid=settle-open]").click(timeout=WAIT_MS)
    form = page.locator("[data-testid=settle-form]")
    form.locator("[name=pay_ref]").fill("中行转账 BOC-0001")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=settle-queued]", timeout=WAIT_MS)

    _until(lambda: held("settled") is not None)
    late_days = held("settled")["late_days"]  # type: ignore[index]
    page = _open(tabs, browser, demo, language).sign_in("core")
    shown = page.locator(f"[data-testid=settled-row][data-receivable='{trade_id}']").inner_text(
        timeout=WAIT_MS
    )
    if language == "zh-CN":
        status, lateness = "已结算", f"逾期 {late_days} 天" if late_days else "按时"
    else:
        days = f"{late_days} day{'s' if late_days != 1 else ''} late"
        status, lateness = "Settled", days if late_days else "On time"
    assert status in shown and lateness in shown, shown


def _finance_in_browser(
    tabs: list[Tab], browser: Browser, demo: Demo, language: str, bank_page: Page, trade_id: str
) -> None:
    """The supplier's invoice, confirmed by the core enterprise, becomes a receivable (issued
    through the API); on the supplier's profile the bank offers ¥50.00 against it at 4.5% a year
    (Finance signed in the bank's page, the holder's nonce read from the node); the supplier, in
    its own tab, signs the same terms to accept; the receivable lands FINANCED with the bank as
    its holder."""
    sme, bank = demo.logins["sme"]["address"], demo.logins["bank"]["address"]
    bank_client = demo.client("bank")
    demo.client("sme").issue_receivable(trade_id)

    def issued() -> bool:
        confirmed = bank_client.receivables(holder=sme, state="confirmed", limit=200)["data"]
        return any(r["receivable_id"] == trade_id for r in confirmed)

    _until(issued)
    card = bank_page.locator("[data-testid=finance]")
    card.locator("[data-testid=finance-refresh]").click()
    picker = card.locator("select[name=finance_receivable]")
    picker.locator(f"option[value='{trade_id}']").wait_for(state="attached", timeout=WAIT_MS)
    picker.select_option(value=trade_id)
    card.locator("[name=advance]").fill("50.00")
    card.locator("[name=rate]").fill("4.5")
    card.locator("[name=valid_days]").fill("7")
    card.locator("button[type=submit]").click()
    made = card.locator("[data-testid=offer-made]")
    made.wait_for(timeout=WAIT_MS)
    offer_id = made.get_attribute("data-offer")
    assert offer_id is not None
    offer = bank_client.financing_offer(offer_id)
    assert (offer["status"], offer["advance"], offer["rate_bps"]) == ("open", 5_000, 450)
    assert offer["receivable_id"] == trade_id

    tab = _open(tabs, browser, demo, language)
    page = tab.sign_in("sme")
    page.locator(f"[data-testid=offer-accept][data-offer='{offer_id}']").click(timeout=WAIT_MS)
    page.wait_for_selector(
        "[data-testid=offer-accepted], [data-testid=offer-financed]", timeout=WAIT_MS
    )

    def financed() -> bool:
        held = bank_client.receivables(holder=bank, state="financed", limit=200)["data"]
        return any(r["receivable_id"] == offer["receivable_id"] for r in held)

    _until(financed)
    page.wait_for_selector("[data-testid=offer-financed]", timeout=WAIT_MS)
    assert bank_client.financing_offer(offer_id)["status"] == "accepted"


def _readable(client: LedgerClient, firm: str) -> bool:
    try:
        client.credit_profile(firm)
        return True
    except ApiError as error:
        if error.code == "no_consent":
            return False
        raise


def _pick(picker: Any, address: str) -> None:
    """A firm from the directory's list in a picker (the option of that address)."""
    picker.wait_for(timeout=WAIT_MS)
    values = picker.locator("option").evaluate_all("options => options.map(o => o.value)")
    picker.select_option(value=next(v for v in values if v.lower() == address.lower()))


def _until(condition: Any, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the ledger did not get there in time")
        time.sleep(0.5)
