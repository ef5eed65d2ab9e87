// What the holder of a receivable (the supplier, or the bank after financing) records at its end:
// the obligor's payment in full ("record settlement", signing Settle), or, once it is overdue
// beyond the grace period, its default (signing MarkDefault with the holder's receivable nonce).
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { defaultReceivableReceivablesReceivableIdDefaultPost, settleReceivableReceivablesReceivableIdSettlePost } from "../client/sdk.gen";
import type { ReceivablePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { gracePeriod, withNextNonce } from "../chain";
import { markDefaultMessage, reasonBytes32, settleMessage, typesFor } from "../ledger";
import { amountJson } from "../money";
import { signTyped, type Session } from "../session";
import { Address, Card, ErrorLine, FirmLabel, Money, Status, dateText } from "../ui";

const OPEN_STATES = new Set(["confirmed", "financed"]);

/** A day typed in the form (YYYY-MM-DD) as its first second, UTC. */
function dayStart(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The settle and default actions for the receivables in ``receivables`` the caller holds open. */
export function SettleActions({ session, receivables }: { session: Session; receivables: ReceivablePublic[] }) {
  const { t, i18n } = useTranslation();
  const [grace, setGrace] = useState<number | null>(null);
  const [settling, setSettling] = useState<ReceivablePublic | null>(null);
  useEffect(() => { void gracePeriod(session).then(setGrace).catch(() => setGrace(null)); }, [session]);
  const open = receivables.filter((r) => r.holder === session.address && OPEN_STATES.has(r.status));
  if (open.length === 0) return null;
  const now = Date.now() / 1000;
  return (
    <div data-testid="settle-actions">
      <h3>{t("settleActions")}</h3>
      <table>
        <thead><tr><th>{t("receivable")}</th><th>{t("obligor")}</th><th>{t("amount")}</th><th>{t("due")}</th><th>{t("stateLabel")}</th><th /></tr></thead>
        <tbody>{open.map((r) => {
          const defaultable = grace !== null && now > r.due_at + grace;
          return (
            <tr key={r.receivable_id} className={now > r.due_at ? "warn" : undefined} data-testid="settle-row" data-receivable={r.receivable_id}>
              <td><Address value={r.receivable_id} /></td><td><FirmLabel address={r.obligor} /></td>
              <td><Money minor={r.amount} currency={r.currency ?? 156} /></td><td>{dateText(r.due_at, i18n.language)}</td><td><Status value={r.status} /></td>
              <td>
                <button onClick={() => setSettling(r)} data-testid="settle-open">{t("recordSettlement")}</button>
                {defaultable && <MarkDefault session={session} receivable={r} />}
              </td>
            </tr>
          );
        })}</tbody>
      </table>
      {settling && <SettleForm key={settling.receivable_id} session={session} receivable={settling} />}
    </div>
  );
}

function SettleForm({ session, receivable }: { session: Session; receivable: ReceivablePublic }) {
  const { t } = useTranslation();
  const [paidOn, setPaidOn] = useState(today());
  const [reference, setReference] = useState("");
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const tooLong = new TextEncoder().encode(reference).length > 32;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      // Settled in full: the amount is the receivable's; the reference is its text on chain.
      const amount = BigInt(receivable.amount);
      const paidAt = dayStart(paidOn);
      const payRef = reasonBytes32(reference);
      const message = settleMessage(receivable.receivable_id, amount, paidAt, payRef);
      const signature = await signTyped(session, "ReceivableLedger", typesFor("Settle"), message);
      unwrap(await settleReceivableReceivablesReceivableIdSettlePost({
        path: { receivable_id: receivable.receivable_id },
        body: { amount: amountJson(amount) as never, paid_at: paidAt, pay_ref: payRef, holder_signature: signature },
      }));
      setQueued(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="form" data-testid="settle-form">
      <p>{t("settleOf")} <Address value={receivable.receivable_id} /> <Money minor={receivable.amount} currency={receivable.currency ?? 156} /></p>
      <label>{t("paidOn")}<input name="paid_on" type="date" value={paidOn} max={today()} onChange={(e) => setPaidOn(e.target.value)} required /></label>
      <label>{t("payRefHint")}<input name="pay_ref" value={reference} onChange={(e) => setReference(e.target.value)} /></label>
      {tooLong && <span className="error">{t("payRefTooLong")}</span>}
      <button type="submit" disabled={busy || queued || tooLong || !paidOn}>{busy ? t("loading") : t("signAndSettle")}</button>
      <ErrorLine error={error} />
      {queued && <p className="ok" data-testid="settle-queued"><Status value="accepted" /></p>}
    </form>
  );
}

function MarkDefault({ session, receivable }: { session: Session; receivable: ReceivablePublic }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function mark() {
    setError(null);
    setBusy(true);
    try {
      await withNextNonce(session, "ReceivableLedger", async (nonce) => {
        const message = markDefaultMessage(receivable.receivable_id, nonce);
        const signature = await signTyped(session, "ReceivableLedger", typesFor("MarkDefault"), message);
        return unwrap(await defaultReceivableReceivablesReceivableIdDefaultPost({
          path: { receivable_id: receivable.receivable_id },
          body: { nonce: Number(nonce), holder_signature: signature },
        }));
      });
      setQueued(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (queued) return <span className="ok" data-testid="default-queued"><Status value="accepted" /></span>;
  return (
    <>
      <button onClick={() => void mark()} disabled={busy} data-testid="mark-default">{busy ? t("loading") : t("markDefault")}</button>
      <ErrorLine error={error} />
    </>
  );
}

/** The bank's card: what it holds (after financing, the bank is the holder), to settle or default. */
export function BankHeld({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<ReceivablePublic[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { holder: session.address, limit: 100 }).then((p) => setRows(p?.data ?? null)).catch(setError);
  }, [session.address]);
  return (
    <Card title={t("receivablesHeldByBank")} testId="bank-held">
      <ErrorLine error={error} />
      {rows === null ? <p>{t("errors.list_unavailable")}</p> : rows.length === 0 ? <p>{t("noData")}</p> : (
        <>
          <table>
            <thead><tr><th>{t("receivable")}</th><th>{t("obligor")}</th><th>{t("amount")}</th><th>{t("stateLabel")}</th></tr></thead>
            <tbody>{rows.map((r) => (
              <tr key={r.receivable_id}><td><Address value={r.receivable_id} /></td><td><FirmLabel address={r.obligor} /></td>
                <td><Money minor={r.amount} currency={r.currency ?? 156} /></td><td><Status value={r.status} /></td></tr>
            ))}</tbody>
          </table>
          <SettleActions session={session} receivables={rows} />
        </>
      )}
    </Card>
  );
}
