"""Vectors of the Python SDK's typed data for the console's Vitest test (console/src/vectors.json,
written by ``make console``): each message's typed-data JSON, digest and signature by a fixed key,
and invoice keys. The console must sign exactly what backend/sdk/typed_data.py signs."""

from __future__ import annotations

import json
import sys

from eth_account import Account

from backend.sdk.signer import Signer
from backend.sdk.typed_data import (
    Consent,
    ConsentScope,
    Domain,
    Finance,
    MarkDefault,
    Payment,
    Reject,
    RevokeConsent,
    Settle,
    Split,
    Trade,
    TradeKind,
    invoice_key,
    typed_data_json,
)

KEY = "0x" + "42" * 32
OTHER = Account.from_key("0x" + "43" * 32).address
ID = bytes(range(32))
SETTLE_REF = "中行转账 BOC-0001".encode().ljust(32, b"\x00")


def messages(me: str) -> list[tuple[str, dict]]:
    trade = Trade(
        me,
        OTHER,
        TradeKind.INVOICE,
        ID,
        123_456_700,
        156,
        1_700_000_000,
        1_705_000_000,
        b"\x01" * 32,
        invoice_key("91330000MA2XXXXX1K", "00012345"),
    )
    big = Trade(me, OTHER, TradeKind.ORDER, ID, 2**100 + 7, 840, 1_700_000_000)
    return [
        ("Trade", trade.message()),
        ("Trade", big.message()),
        ("Payment", Payment(ID, 5_000, 1_700_000_500, b"\x02" * 32).message()),
        ("Reject", Reject(ID, "价格不符".encode().ljust(32, b"\x00")).message()),
        ("Split", Split(ID, (OTHER, me), (100, 200), 3).message()),
        ("Finance", Finance(ID, OTHER, 90_000, 450, 1_800_000_000, 1).message()),
        ("Settle", Settle(ID, 100_000, 1_700_000_900).message()),
        # the console's payment reference: its text as UTF-8, zero-padded (reasonBytes32)
        ("Settle", Settle(ID, 100_000, 1_700_000_900, SETTLE_REF).message()),
        (
            "Consent",
            Consent(
                me,
                OTHER,
                ConsentScope.CREDIT_PROFILE | ConsentScope.DECISIONS,
                1_800_000_000,
                2**60,
            ).message(),
        ),
        ("MarkDefault", MarkDefault(ID, 9).message()),
        ("RevokeConsent", RevokeConsent(ID, 4).message()),
    ]


def main() -> None:
    signer = Signer.from_key(KEY)
    domain = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    vectors = []
    for primary, message in messages(signer.address):
        digest = domain.digest(primary, message)
        vectors.append(
            {
                "typed_data": typed_data_json(domain, primary, message),
                "digest": "0x" + digest.hex(),
                "signature": "0x" + signer.sign_digest(digest).hex(),
            }
        )
    keys = [
        {"uscc": u, "number": n, "key": "0x" + invoice_key(u, n).hex()}
        for u, n in [("91330000MA2XXXXX1K", "00012345"), (" 91330000ma2xxxxx1k ", " 7 ")]
    ]
    json.dump(
        {"key": KEY, "address": signer.address, "vectors": vectors, "invoice_keys": keys},
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
