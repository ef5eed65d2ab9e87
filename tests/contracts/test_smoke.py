from backend.chain.contracts import Role
from tests.factories import create_firm, make_trade, sign_both


def test_record_trade(ledger):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    trade = make_trade(seller, buyer)
    recorded = ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    assert recorded.trade_id == trade.trade_id(ledger.trades.domain)
    print(recorded.tx.gas_used)


def test_batch(ledger):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    items = [sign_both(ledger, make_trade(seller, buyer), seller, buyer) for _ in range(100)]
    result = ledger.trades.record_batch(items)
    assert result.recorded == 100
    print(result.tx.gas_used / 100)
