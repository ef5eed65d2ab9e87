// The core enterprise's workspace: invoices awaiting its signature (confirm, or reject with a
// reason), the payables calendar of what it owes and the settlement of what it paid.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { confirmTradeTradesTradeIdConfirmPost, readTradeTradesTradeIdGet, rejectTradeTradesTradeIdRejectPost } from "../client/sdk.gen";
import type { TradePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { reasonBytes32, tradeMessage, typesFor, type TradeJson } from "../ledger";
import { signTyped, type Session } from "../session";
import { Address, Card, ErrorLine, FirmLabel, Money, Status, dateText } from "../ui";
import { PaymentsPanel } from "./Payments";

export function CorePage({ session }: { session: Session }) {
  const { t } = useTranslation();
  return (
    <div className="page" data-testid="page-core">
      <h1>{t("coreHome")}</h1>
      <div className="grid">
        <Inbox session={session} />
        <PaymentsPanel session={session} />
      </div>
    </div>
  );
}

function Inbox({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [pending, setPending] = useState<TradePublic[] | null>(null);
  const [tradeId, setTradeId] = useState("");
  const [opened, setOpened] = useState<TradePublic | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<TradePublic>("/trades", { party: session.address, side: "buyer", status: "proposed", limit: 50 }).then((p) => setPending(p?.data ?? null)).catch(setError);
  }, [session.address]);
  async function open(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setOpened(unwrap(await readTradeTradesTradeIdGet({ path: { trade_id: tradeId.trim() } })));
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Card title={t("inbox")} testId="inbox">
      {pending && pending.map((trade) => <TradeAnswer key={trade.trade_id} session={session} trade={trade} />)}
      <form onSubmit={open} className="form">
        <label>{t("openTrade")}<input name="trade_id" value={tradeId} onChange={(e) => setTradeId(e.target.value)} placeholder="0x…" /></label>
        <button type="submit">{t("openTrade")}</button>
      </form>
      <ErrorLine error={error} />
      {opened && <TradeAnswer session={session} trade={opened} />}
    </Card>
  );
}

function TradeAnswer({ session, trade }: { session: Session; trade: TradePublic }) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState("");
  const [answer, setAnswer] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const body = trade.trade as unknown as TradeJson | null;
  async function confirm() {
    setError(null);
    try {
      const signature = await signTyped(session, "TradeLedger", typesFor("Trade"), tradeMessage(body!));
      unwrap(await confirmTradeTradesTradeIdConfirmPost({ path: { trade_id: trade.trade_id }, body: { buyer_signature: signature } }));
      setAnswer("confirmed");
    } catch (caught) {
      setError(caught);
    }
  }
  async function reject() {
    setError(null);
    try {
      const reasonHex = reasonBytes32(reason);
      const signature = await signTyped(session, "TradeLedger", typesFor("Reject"), { tradeId: trade.trade_id, reason: reasonHex });
      unwrap(await rejectTradeTradesTradeIdRejectPost({ path: { trade_id: trade.trade_id }, body: { reason: reasonHex, buyer_signature: signature } }));
      setAnswer("rejected");
    } catch (caught) {
      setError(caught);
    }
  }
  if (!body) return <p><Address value={trade.trade_id} /> <Status value={trade.status} /></p>;
  return (
    <div className="trade" data-testid="trade-answer">
      <p><Address value={trade.trade_id} /> {t("seller")} <FirmLabel address={body.seller} /> <Money minor={body.amount} currency={body.currency} />
        {" "}{t("due")} {dateText(body.due_at, i18n.language)} <Status value={trade.ledger_status ?? trade.status} /></p>
      {answer ? <p className="ok" data-testid="trade-answered"><Status value={answer} /></p> : (
        <div className="form">
          <button onClick={() => void confirm()} data-testid="confirm">{t("confirm")}</button>
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t("reason")} maxLength={32} />
          <button onClick={() => void reject()} disabled={!reason}>{t("reject")}</button>
        </div>
      )}
      <ErrorLine error={error} />
    </div>
  );
}
