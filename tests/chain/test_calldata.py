"""The relayer's hand-written recordTrades calldata equals web3's, byte for byte."""

from __future__ import annotations

import os

import pytest

from backend.chain.calldata import record_trades_calldata
from backend.chain.contracts import SignedTrade
from backend.enums import TradeKind
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Trade

pytestmark = pytest.mark.chain


def _item(signature_length: int) -> SignedTrade:
    trade = Trade(
        Signer.create().address,
        Signer.create().address,
        TradeKind.INVOICE,
        os.urandom(32),
        2**100 + 7,
        156,
        1_700_000_000,
        1_705_000_000,
        os.urandom(32),
    )
    return SignedTrade(trade, os.urandom(65), os.urandom(signature_length))


@pytest.mark.parametrize("lengths", [[65], [65, 65, 65], [130, 65, 0, 97]])
def test_calldata_equals_web3_encoding(ledger, lengths):
    items = [_item(length) for length in lengths]
    expected = ledger.trades.contract.encode_abi("recordTrades", [[i.as_tuple() for i in items]])
    assert "0x" + record_trades_calldata(items).hex() == expected
