// Financing a receivable, co-signed in two browsers: the bank signs its Finance terms as an offer
// on a consenting firm's receivable; the holder signs the same terms to accept, which submits the
// financing. After it lands the bank holds the receivable.
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  acceptOfferFinancingOffersOfferIdAcceptPost, makeOfferFinancingOffersPost,
  readReceivableReceivablesReceivableIdGet, readSubmissionSubmissionsSubmissionIdGet,
} from "../client/sdk.gen";
import type { OfferPublic, ReceivablePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { chainNonce, ledgerNow } from "../chain";
import { financeMessage, typesFor } from "../ledger";
import { formatMoney, parseMajor } from "../money";
import { signTyped, type Session } from "../session";
import { Address, Card, ErrorLine, FirmLabel, Money, Status, dateText } from "../ui";

const DAY = 86_400;
const POLL_MS = 2_000;

/** The Finance terms of an offer, as both the bank and the holder sign them. */
function offerMessage(offer: Pick<OfferPublic, "receivable_id" | "bank" | "advance" | "rate_bps" | "deadline" | "nonce">) {
  return financeMessage(offer.receivable_id, offer.bank, BigInt(offer.advance), offer.rate_bps, offer.deadline, BigInt(offer.nonce));
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** "4.5" (% a year) as basis points; null when it is not a rate. */
function rateBps(text: string): number | null {
  const match = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(text.trim());
  return match ? Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0")) : null;
}

function percentText(bps: number): string {
  return `${(bps / 100).toFixed(2)}%`;
}

/** The bank's side: the firm's confirmed, unfinanced receivables, an offer form, its offers. */
export function FinanceCard({ firm, session }: { firm: string; session: Session }) {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<ReceivablePublic[] | null>(null);
  const [offers, setOffers] = useState<OfferPublic[]>([]);
  const [chosen, setChosen] = useState("");
  const [advance, setAdvance] = useState("");
  const [rate, setRate] = useState("4.5");
  const [days, setDays] = useState("7");
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<OfferPublic | null>(null);
  const [error, setError] = useState<unknown>(null);
  function refresh() {
    list<OfferPublic>("/financing-offers", { limit: 100 })
      .then((page) => setOffers((page?.data ?? []).filter((offer) => sameAddress(offer.holder, firm))))
      .catch(setError);
  }
  function load() {
    list<ReceivablePublic>("/receivables", { holder: firm, state: "confirmed", limit: 100 })
      .then((page) => setRows(page ? page.data.filter((r) => !r.financed) : null)).catch(setError);
    refresh();
  }
  useEffect(load, [firm]);
  const receivable = rows?.find((r) => r.receivable_id === chosen);

  async function offer(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const minor = receivable ? parseMajor(advance, receivable.currency ?? 156) : null;
    const bps = rateBps(rate);
    const validDays = Number(days);
    if (!receivable || minor === null || bps === null || !Number.isInteger(validDays) || validDays < 1) return setError(new Error("invalid"));
    setBusy(true);
    try {
      const terms = {
        receivable_id: receivable.receivable_id, bank: session.address, advance: Number(minor), rate_bps: bps,
        deadline: (await ledgerNow(session)) + validDays * DAY, nonce: Number(await chainNonce(session, "ReceivableLedger", receivable.holder)),
      };
      const signature = await signTyped(session, "ReceivableLedger", typesFor("Finance"), offerMessage(terms));
      const { bank: _bank, ...body } = terms;
      setMade(unwrap(await makeOfferFinancingOffersPost({ body: { ...body, bank_signature: signature } })));
      refresh();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("financeReceivable")} testId="finance">
      <p><FirmLabel address={firm} /> <button type="button" onClick={load} data-testid="finance-refresh">{t("refresh")}</button></p>
      {rows === null ? <p>{t("errors.list_unavailable")}</p> : rows.length === 0 ? <p>{t("noFinanceable")}</p> : (
        <form className="form" onSubmit={offer} data-testid="finance-form">
          <label>{t("receivable")}
            <select name="finance_receivable" value={chosen} onChange={(e) => setChosen(e.target.value)} required>
              <option value="" />
              {rows.map((r) => <option key={r.receivable_id} value={r.receivable_id}>{r.receivable_id.slice(0, 10)}… · {formatMoney(r.amount, r.currency ?? 156, i18n.language)}</option>)}
            </select>
          </label>
          {receivable && <p>{t("amount")}: <Money minor={receivable.amount} currency={receivable.currency ?? 156} /></p>}
          <label>{t("advanceYuan")}<input name="advance" inputMode="decimal" value={advance} onChange={(e) => setAdvance(e.target.value)} required /></label>
          <label>{t("ratePercent")}<input name="rate" inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} required /></label>
          <label>{t("validDays")}<input name="valid_days" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} required /></label>
          <button type="submit" disabled={busy}>{busy ? t("loading") : t("signAndOffer")}</button>
        </form>
      )}
      <ErrorLine error={error} />
      {made && <p className="ok" data-testid="offer-made" data-offer={made.offer_id}><Status value={made.status} /></p>}
      <OfferTable offers={offers} />
    </Card>
  );
}

function OfferTable({ offers, action }: { offers: OfferPublic[]; action?: (offer: OfferPublic) => ReactNode }) {
  const { t, i18n } = useTranslation();
  if (offers.length === 0) return null;
  return (
    <table data-testid="offers">
      <thead><tr><th>{t("receivable")}</th><th>{t("bankLabel")}</th><th>{t("advanceAmount")}</th><th>{t("rate")}</th><th>{t("offerDeadline")}</th><th>{t("stateLabel")}</th><th /></tr></thead>
      <tbody>{offers.map((offer) => (
        <tr key={offer.offer_id}>
          <td><Address value={offer.receivable_id} /></td><td><FirmLabel address={offer.bank} /></td>
          <td><Money minor={offer.advance} currency={offer.currency ?? 156} /></td><td>{percentText(offer.rate_bps)}</td>
          <td>{dateText(offer.deadline, i18n.language)}</td><td><Status value={`offer_${offer.status}`} /></td>
          <td>{action?.(offer)}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

/** The holder's side: open offers on the receivables it holds, each accepted by signing it. */
export function OffersReceived({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [offers, setOffers] = useState<OfferPublic[]>([]);
  const [accepted, setAccepted] = useState<{ offer: OfferPublic; submission: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<OfferPublic>("/financing-offers", { status: "open", limit: 100 })
      .then((page) => setOffers((page?.data ?? []).filter((offer) => sameAddress(offer.holder, session.address)))).catch(setError);
  }, [session.address]);

  async function accept(offer: OfferPublic) {
    setError(null);
    setBusy(true);
    try {
      const signature = await signTyped(session, "ReceivableLedger", typesFor("Finance"), offerMessage(offer));
      const answer = unwrap(await acceptOfferFinancingOffersOfferIdAcceptPost({ path: { offer_id: offer.offer_id }, body: { holder_signature: signature } }));
      setAccepted({ offer, submission: answer.id });
      setOffers(offers.filter((other) => other.receivable_id !== offer.receivable_id));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (offers.length === 0 && !accepted && !error) return null;
  return (
    <div data-testid="offers-received">
      <h3>{t("offersReceived")}</h3>
      <OfferTable
        offers={offers}
        action={(offer) => <button onClick={() => void accept(offer)} disabled={busy} data-testid="offer-accept" data-offer={offer.offer_id}>{t("acceptOffer")}</button>}
      />
      <ErrorLine error={error} />
      {accepted && <Financing receivableId={accepted.offer.receivable_id} submission={accepted.submission} />}
    </div>
  );
}

/** An accepted offer's financing: its submission's status until the receivable is financed. */
function Financing({ receivableId, submission }: { receivableId: string; submission: string }) {
  const [state, setState] = useState<string>("queued");
  useEffect(() => {
    let done = false;
    async function poll() {
      const receivable = unwrap(await readReceivableReceivablesReceivableIdGet({ path: { receivable_id: receivableId } }));
      if (receivable.status === "financed") { done = true; return setState("financed"); }
      const queued = unwrap(await readSubmissionSubmissionsSubmissionIdGet({ path: { submission_id: submission } })) as { status: string };
      setState(queued.status);
    }
    const timer = setInterval(() => { if (!done) void poll().catch(() => undefined); }, POLL_MS);
    void poll().catch(() => undefined);
    return () => clearInterval(timer);
  }, [receivableId, submission]);
  return <p className={state === "failed" ? "error" : "ok"} data-testid={state === "financed" ? "offer-financed" : "offer-accepted"}><Status value={state} /></p>;
}
