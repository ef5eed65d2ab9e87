"""A Python client of the API for every role: it signs with the firm's own key and calls HTTP.

The key never leaves the client: the service receives signatures, not keys.

    client = LedgerClient("http://127.0.0.1:8000", Signer.from_key(key))
    client.sign_in()
    trade_id = client.submit_trade(trade, buyer_signature=...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from eth_account.messages import encode_defunct

from backend.enums import ConsentScope, TradeKind
from backend.sdk.signer import Signer
from backend.sdk.typed_data import (
    Consent,
    Domain,
    Finance,
    Payment,
    Reject,
    RevokeConsent,
    Trade,
)


class ApiError(Exception):
    """The API refused a request: its status, error code and sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def trade_json(trade: Trade) -> dict[str, Any]:
    return {
        "seller": trade.seller,
        "buyer": trade.buyer,
        "kind": TradeKind(trade.kind).name.lower(),
        "doc_hash": "0x" + trade.doc_hash.hex(),
        "amount": trade.amount,
        "currency": trade.currency,
        "issued_at": trade.issued_at,
        "due_at": trade.due_at,
        "ref": "0x" + trade.ref.hex(),
        "invoice_key": "0x" + trade.invoice_key.hex(),
    }


def offer_terms(offer: dict[str, Any]) -> Finance:
    """The ``Finance`` terms of a financing offer as the API answers it: what both sign."""
    return Finance(
        bytes.fromhex(offer["receivable_id"][2:]),
        offer["bank"],
        offer["advance"],
        offer["rate_bps"],
        offer["deadline"],
        offer["nonce"],
    )


@dataclass
class LedgerClient:
    base_url: str
    signer: Signer
    timeout: float = 30.0
    http: httpx.Client | None = None  # an existing client (tests pass the app's TestClient)

    def __post_init__(self) -> None:
        self._http = self.http or httpx.Client(base_url=self.base_url, timeout=self.timeout)
        self._token: str | None = None
        self._domains: dict[str, Domain] = {}

    # ───────────────────────────────────────────── plumbing

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        response = self._http.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            error = response.json().get("error", {}) if response.content else {}
            raise ApiError(
                response.status_code,
                error.get("code", "http_error"),
                error.get("message", response.text),
            )
        return (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else response.content
        )

    def sign_in(self) -> dict[str, Any]:
        """SIWE: sign the one-time challenge, keep the bearer token."""
        challenge = self._request("POST", "/auth/challenge", json={"address": self.signer.address})
        signature = self.signer.account.sign_message(
            encode_defunct(text=challenge["message"])
        ).signature
        token = self._request(
            "POST",
            "/auth/token",
            json={"message": challenge["message"], "signature": "0x" + bytes(signature).hex()},
        )
        self._token = token["access_token"]
        return dict(token)

    def domain(self, contract: str) -> Domain:
        """The EIP-712 domain of one of the ledger's contracts, from ``GET /ledger``."""
        if contract not in self._domains:
            info = self._request("GET", "/ledger")
            self._domains[contract] = Domain(info["chain_id"], info["contracts"][contract])
        return self._domains[contract]

    def trade_domain(self) -> Domain:
        return self.domain("TradeLedger")

    # ───────────────────────────────────────────── SME and core enterprise

    def sign_trade(self, trade: Trade) -> str:
        return "0x" + self.signer.sign_trade(trade, self.trade_domain()).hex()

    def submit_trade(self, trade: Trade, *, buyer_signature: str | None = None) -> str:
        body = {"trade": trade_json(trade), "seller_signature": self.sign_trade(trade)}
        if buyer_signature is not None:
            body["buyer_signature"] = buyer_signature
        return str(self._request("POST", "/trades", json=body)["trade_id"])

    def submit_trades(self, items: list[tuple[Trade, str, str]]) -> dict[str, Any]:
        """Many (trade, seller signature, buyer signature) at once."""
        body = {
            "items": [
                {"trade": trade_json(t), "seller_signature": s, "buyer_signature": b}
                for t, s, b in items
            ]
        }
        return dict(self._request("POST", "/trades/batch", json=body))

    def trade(self, trade_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/trades/{trade_id}"))

    # ───────────────────────────────────────────── lists ({"data": [...], "count": N})

    def _list(self, path: str, offset: int, limit: int, **filters: Any) -> dict[str, Any]:
        params = {name.rstrip("_"): value for name, value in filters.items() if value is not None}
        params.update(offset=offset, limit=limit)
        return dict(self._request("GET", path, params=params))

    def firms(
        self,
        q: str | None = None,
        role: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        """The firm directory: ``q`` matches a legal name or the credit code."""
        return self._list("/firms", offset, limit, q=q, role=role, status=status)

    def trades(
        self,
        party: str | None = None,
        side: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        """Recorded trades the caller may read; ``from_``/``to``: ISO dates of issue."""
        return self._list(
            "/trades", offset, limit, party=party, side=side, kind=kind, status=status,
            from_=from_, to=to,
        )  # fmt: skip

    def payments(
        self,
        party: str | None = None,
        side: str | None = None,
        trade: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        """Recorded trade payments the caller may read; ``side``: payer or payee;
        ``from_``/``to``: ISO dates of payment."""
        return self._list(
            "/payments", offset, limit, party=party, side=side, trade=trade, from_=from_, to=to
        )

    def receivables(
        self,
        holder: str | None = None,
        obligor: str | None = None,
        state: str | None = None,
        due_from: str | None = None,
        due_to: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        return self._list(
            "/receivables", offset, limit, holder=holder, obligor=obligor, state=state,
            due_from=due_from, due_to=due_to,
        )  # fmt: skip

    def consents(
        self,
        firm: str | None = None,
        bank: str | None = None,
        active: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        flag = None if active is None else str(active).lower()
        return self._list("/consents", offset, limit, firm=firm, bank=bank, active=flag)

    def confirm_trade(self, trade: Trade) -> dict[str, Any]:
        trade_id = "0x" + trade.trade_id(self.trade_domain()).hex()
        return dict(
            self._request(
                "POST",
                f"/trades/{trade_id}/confirm",
                json={"buyer_signature": self.sign_trade(trade)},
            )
        )

    def reject_trade(self, trade_id: str, reason: bytes) -> dict[str, Any]:
        reject = Reject(bytes.fromhex(trade_id[2:]), reason.ljust(32, b"\x00")[:32])
        signature = self.signer.sign_reject(reject, self.trade_domain())
        return dict(
            self._request(
                "POST",
                f"/trades/{trade_id}/reject",
                json={
                    "reason": "0x" + reject.reason.hex(),
                    "buyer_signature": "0x" + signature.hex(),
                },
            )
        )

    def record_payment(self, payment: Payment) -> dict[str, Any]:
        signature = self.signer.sign_payment(payment, self.trade_domain())
        body = {
            "trade_id": "0x" + payment.trade_id.hex(),
            "amount": payment.amount,
            "paid_at": payment.paid_at,
            "pay_ref": "0x" + payment.pay_ref.hex(),
            "payee_signature": "0x" + signature.hex(),
        }
        return dict(self._request("POST", "/payments", json=body))

    def issue_receivable(self, trade_id: str) -> dict[str, Any]:
        """Issue the receivable of a recorded invoice to a core enterprise (202, relayed; its id:
        the trade's)."""
        return dict(self._request("POST", "/receivables", json={"trade_id": trade_id}))

    def upload_document(self, content: bytes, filename: str, content_type: str) -> dict[str, Any]:
        return dict(
            self._request("POST", "/documents", files={"file": (filename, content, content_type)})
        )

    def grant_consent(
        self, bank: str, scope: ConsentScope, expires_at: int, nonce: int
    ) -> dict[str, Any]:
        """Let ``bank`` read this firm's records (``scope``) until ``expires_at``; ``nonce`` is
        the firm's next consent nonce (0 for its first consent, one more for each grant or
        revocation)."""
        consent = Consent(self.signer.address, bank, scope, expires_at, nonce)
        signature = self.signer.sign_consent(consent, self.domain("ConsentRegistry"))
        body = {
            "consent": {
                "firm": consent.firm,
                "bank": bank,
                "scope": int(scope),
                "expires_at": expires_at,
                "nonce": nonce,
            },
            "signature": "0x" + signature.hex(),
        }
        return dict(self._request("POST", "/consents", json=body))

    def revoke_consent(self, consent_id: str, nonce: int) -> dict[str, Any]:
        revoke = RevokeConsent(bytes.fromhex(consent_id[2:]), nonce)
        signature = self.signer.sign_revoke_consent(revoke, self.domain("ConsentRegistry"))
        body = {"nonce": nonce, "signature": "0x" + signature.hex()}
        return dict(self._request("POST", f"/consents/{consent_id}/revoke", json=body))

    # ───────────────────────────────────────────── bank

    def request_decision(
        self,
        firm: str,
        amount: int,
        tenor_days: int,
        receivable_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """A credit decision on ``firm`` (needs the firm's consent for decisions)."""
        body: dict[str, Any] = {"firm": firm, "amount": amount, "tenor_days": tenor_days}
        if receivable_ids is not None:
            body["receivable_ids"] = receivable_ids
        return dict(self._request("POST", "/credit-decisions", json=body))

    def decisions(
        self, firm: str | None = None, offset: int = 0, limit: int = 50
    ) -> dict[str, Any]:
        """The caller's decisions, newest first (a bank's own; a firm's about itself)."""
        return self._list("/credit-decisions", offset, limit, firm=firm)

    def decision(self, decision_id: str) -> dict[str, Any]:
        """A stored decision with its snapshot and verification (re-scored, anchor checked)."""
        return dict(self._request("GET", f"/credit-decisions/{decision_id}"))

    def offer_financing(
        self, receivable_id: str, advance: int, rate_bps: int, deadline: int, nonce: int
    ) -> dict[str, Any]:
        """Offer to finance a receivable of a firm that consents to this bank: the bank's
        signature of ``Finance``; ``nonce`` is the holder's next receivable nonce."""
        terms = Finance(
            bytes.fromhex(receivable_id[2:]),
            self.signer.address,
            advance,
            rate_bps,
            deadline,
            nonce,
        )
        body = {
            "receivable_id": receivable_id,
            "advance": advance,
            "rate_bps": rate_bps,
            "deadline": deadline,
            "nonce": nonce,
            "bank_signature": self._sign_finance(terms),
        }
        return dict(self._request("POST", "/financing-offers", json=body))

    def financing_offers(
        self,
        receivable: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> dict[str, Any]:
        """Offers made to this firm as holder, made by this bank, or all (operator)."""
        return self._list("/financing-offers", offset, limit, receivable=receivable, status=status)

    def financing_offer(self, offer_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/financing-offers/{offer_id}"))

    def accept_financing_offer(self, offer_id: str) -> dict[str, Any]:
        """As the holder: sign the offer's ``Finance`` terms and submit the financing."""
        terms = offer_terms(self.financing_offer(offer_id))
        body = {"holder_signature": self._sign_finance(terms)}
        return dict(self._request("POST", f"/financing-offers/{offer_id}/accept", json=body))

    def withdraw_financing_offer(self, offer_id: str) -> dict[str, Any]:
        return dict(self._request("POST", f"/financing-offers/{offer_id}/withdraw"))

    def _sign_finance(self, terms: Finance) -> str:
        return "0x" + self.signer.sign(terms, self.domain("ReceivableLedger")).hex()

    def credit_profile(self, firm: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/firms/{firm}/credit-profile"))

    def evidence(self, kind: str, record_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/evidence/{kind}/{record_id}"))

    # ───────────────────────────────────────────── operator

    def register_firm(
        self, address: str, roles: list[str], uscc: str, legal_name_zh: str, **directory: str
    ) -> dict[str, Any]:
        """Register a firm; ``directory``: legal_name_en, region, industry."""
        body = {
            "address": address,
            "roles": roles,
            "uscc": uscc,
            "legal_name_zh": legal_name_zh,
            **directory,
        }
        return dict(self._request("POST", "/firms", json=body))

    def suspend_firm(self, address: str) -> dict[str, Any]:
        return dict(self._request("POST", f"/firms/{address}/suspend"))

    def reactivate_firm(self, address: str) -> dict[str, Any]:
        return dict(self._request("POST", f"/firms/{address}/reactivate"))
