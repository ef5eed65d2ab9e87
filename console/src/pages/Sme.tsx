// The supplier's workspace: verified sales, its invoices, recording one, consents, decisions.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import {
  createTradeTradesPost, grantConsentConsentsPost, listDecisionsCreditDecisionsGet,
  readCreditProfileFirmsAddressCreditProfileGet, readTradeTradesTradeIdGet, revokeConsentConsentsConsentIdRevokePost,
  uploadDocumentDocumentsPost,
} from "../client/sdk.gen";
import type { DecisionSummary, TradePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { invoiceKey, sha256Hex, typesFor, ZERO32, type TradeJson, tradeMessage } from "../ledger";
import { amountJson, parseMajor } from "../money";
import { HeldReceivables } from "./Held";
import { withNextNonce } from "../chain";
import { signTyped, type Session } from "../session";
import { Address, Card, Chart, ErrorLine, FirmLabel, Money, Status, dateText, firmName, monthLabels, type Firm } from "../ui";

const DAY = 86_400;
const RECORDED = ["recorded", "final"];


function recent(address: string): string[] {
  return JSON.parse(localStorage.getItem(`scf.invoices.${address}`) ?? "[]") as string[];
}

export function SalesChart({ firm }: { firm: string }) {
  const { t, i18n } = useTranslation();
  const [profile, setProfile] = useState<Record<string, any> | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    readCreditProfileFirmsAddressCreditProfileGet({ path: { address: firm } }).then((a) => setProfile(unwrap(a))).catch(setError);
  }, [firm]);
  const option = useMemo(() => {
    const monthly: number[] = profile?.figures?.sales_trend?.monthly ?? [];
    return {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: monthLabels(monthly.length, profile?.as_of ?? 0, i18n.language) },
      yAxis: { type: "value", name: i18n.language.startsWith("zh") ? "元" : "CNY" },
      series: [{ type: "bar", name: t("salesByMonth"), data: monthly.map((m) => m / 100) }],
    };
  }, [profile, i18n.language, t]);
  return (
    <Card title={t("salesByMonth")} testId="sales-chart">
      <ErrorLine error={error} />
      {profile && <Chart option={option} />}
    </Card>
  );
}

export function SmePage({ session }: { session: Session }) {
  const { t } = useTranslation();
  return (
    <div className="page" data-testid="page-sme">
      <h1>{t("smeHome")}</h1>
      <div className="grid">
        <SalesChart firm={session.address} />
        <RecordInvoice session={session} />
        <MyInvoices session={session} />
        <HeldReceivables session={session} />
        <Consents session={session} />
        <Decisions />
      </div>
    </div>
  );
}

function RecordInvoice({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const [buyers, setBuyers] = useState<Firm[] | null>(null);
  const [buyer, setBuyer] = useState("");
  const [amount, setAmount] = useState("");
  const today = new Date().toISOString().slice(0, 10);
  const [issued, setIssued] = useState(today);
  const [due, setDue] = useState(new Date(Date.now() + 60 * DAY * 1000).toISOString().slice(0, 10));
  const [number, setNumber] = useState("");
  const [uscc, setUscc] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<TradePublic | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    list<Firm>("/firms", { role: "core", status: "active", limit: 100 }).then((page) => setBuyers(page?.data ?? null)).catch(() => setBuyers(null));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    const minor = parseMajor(amount);
    if (minor === null || !file) return setError(new Error("invalid"));
    setBusy(true);
    try {
      const trade: TradeJson = {
        seller: session.address, buyer: buyer.trim(), kind: "invoice" as const,
        doc_hash: await sha256Hex(await file.arrayBuffer()), amount: minor.toString(), currency: 156,
        issued_at: Math.floor(Date.parse(issued) / 1000), due_at: Math.floor(Date.parse(due) / 1000),
        ref: ZERO32, invoice_key: invoiceKey(uscc, number),
      };
      const signature = await signTyped(session, "TradeLedger", typesFor("Trade"), tradeMessage(trade));
      const accepted = unwrap(await createTradeTradesPost({ body: { trade: { ...trade, amount: amountJson(minor) }, seller_signature: signature } }));
      localStorage.setItem(`scf.invoices.${session.address}`, JSON.stringify([accepted.trade_id, ...recent(session.address)].slice(0, 20)));
      const recorded = await waitRecorded(accepted.trade_id);
      unwrap(await uploadDocumentDocumentsPost({ body: { file } }));
      setDone(recorded);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("recordInvoice")} testId="record-invoice">
      <form onSubmit={submit} className="form">
        <label>{t("buyer")}
          {buyers ? (
            <select name="buyer" value={buyer} onChange={(e) => setBuyer(e.target.value)} required>
              <option value="" />
              {buyers.map((firm) => <option key={firm.address} value={firm.address}>{firmName(firm, i18n.language)}</option>)}
            </select>
          ) : (
            <input name="buyer" value={buyer} onChange={(e) => setBuyer(e.target.value)} placeholder="0x…" required />
          )}
        </label>
        <label>{t("amountYuan")}<input name="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required /></label>
        <label>{t("issuedOn")}<input name="issued" type="date" value={issued} onChange={(e) => setIssued(e.target.value)} required /></label>
        <label>{t("dueOn")}<input name="due" type="date" value={due} onChange={(e) => setDue(e.target.value)} required /></label>
        <label>{t("creditCode")}<input name="uscc" value={uscc} onChange={(e) => setUscc(e.target.value)} required /></label>
        <label>{t("invoiceNumber")}<input name="invoice_number" value={number} onChange={(e) => setNumber(e.target.value)} required /></label>
        <label>{t("document")}<input name="document" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required /></label>
        <button type="submit" disabled={busy}>{busy ? t("loading") : t("submit")}</button>
      </form>
      <ErrorLine error={error} />
      {done && (
        <p className="ok" data-testid="invoice-recorded">
          {t("tradeId")}: <code data-testid="trade-id">{done.trade_id}</code> <Status value={done.ledger_status ?? done.status} />
        </p>
      )}
    </Card>
  );
}

/** Polls the trade until the relayer has it on chain (the document can be stored only then). */
async function waitRecorded(tradeId: string): Promise<TradePublic> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const trade = unwrap(await readTradeTradesTradeIdGet({ path: { trade_id: tradeId } }));
    if (RECORDED.includes(trade.status)) return trade;
    if (trade.status === "failed") throw new Error(trade.error?.message ?? "failed");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("timeout");
}

function MyInvoices({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [trades, setTrades] = useState<TradePublic[]>([]);
  const [error, setError] = useState<unknown>(null);
  async function load() {
    try {
      // A listed trade is flat (its typed-data fields beside the ledger's status): shaped here
      // as a single trade's answer, which nests them under `trade`.
      const page = await list<Record<string, unknown>>("/trades", { party: session.address, side: "seller", kind: "invoice", limit: 20 });
      if (page) return setTrades(page.data.map((row) => ({ ...row, trade: row, ledger_status: row.status }) as unknown as TradePublic));
      const ids = recent(session.address);
      setTrades(await Promise.all(ids.map(async (id) => unwrap(await readTradeTradesTradeIdGet({ path: { trade_id: id } })))));
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => void load(), []);
  return (
    <Card title={t("myInvoices")} testId="my-invoices">
      <button onClick={() => void load()}>{t("refresh")}</button>
      <ErrorLine error={error} />
      {trades.length === 0 ? <p>{t("noData")}</p> : (
        <table>
          <thead><tr><th>{t("tradeId")}</th><th>{t("buyer")}</th><th>{t("amount")}</th><th>{t("stateLabel")}</th></tr></thead>
          <tbody>
            {trades.map((trade) => (
              <tr key={trade.trade_id}>
                <td><Address value={trade.trade_id} /></td>
                <td>{trade.trade && <FirmLabel address={trade.trade.buyer} />}</td>
                <td>{trade.trade && <Money minor={trade.trade.amount} currency={trade.trade.currency} />}</td>
                <td><Status value={trade.ledger_status ?? trade.status} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

const SCOPES = { profile: 1, documents: 2, decisions: 4 } as const;
type ScopeName = keyof typeof SCOPES;

interface ConsentRow { consent_id: string; bank: string; scope: number; expires_at: number; status: string; active: boolean }

/** The consents the firm gave (newest first), a grant to a bank from the directory, and a
 * revocation per row; each signed in the page with the firm's next ConsentRegistry nonce. */
function Consents({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const [banks, setBanks] = useState<Firm[]>([]);
  const [given, setGiven] = useState<ConsentRow[] | null>(null);
  const [bank, setBank] = useState("");
  const [scope, setScope] = useState<Record<ScopeName, boolean>>({ profile: true, documents: false, decisions: true });
  const [expires, setExpires] = useState(new Date(Date.now() + 90 * DAY * 1000).toISOString().slice(0, 10));
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => list<ConsentRow>("/consents", { firm: session.address, limit: 100 }).then((p) => setGiven(p?.data ?? null)).catch(setError);
  useEffect(() => {
    list<Firm>("/firms", { role: "bank", status: "active", limit: 100 }).then((p) => setBanks(p?.data ?? [])).catch(() => setBanks([]));
    void load();
  }, [session.address]);

  async function run(action: () => Promise<string>) {
    setError(null);
    setResult(null);
    try {
      setResult(await action());
      void load();
    } catch (caught) {
      setError(caught);
    }
  }

  const grant = (event: FormEvent) => {
    event.preventDefault();
    void run(() => withNextNonce(session, "ConsentRegistry", async (nonce) => {
      const bits = (Object.keys(SCOPES) as ScopeName[]).reduce((sum, key) => sum | (scope[key] ? SCOPES[key] : 0), 0);
      const consent = { firm: session.address, bank, scope: bits, expires_at: Math.floor(Date.parse(expires) / 1000), nonce: Number(nonce) };
      const message = { firm: consent.firm, bank: consent.bank, scope: consent.scope, expiresAt: consent.expires_at, nonce: consent.nonce };
      const signature = await signTyped(session, "ConsentRegistry", typesFor("Consent"), message);
      return unwrap(await grantConsentConsentsPost({ body: { consent, signature } })).subject;
    }));
  };

  const revoke = (consentId: string) => run(() => withNextNonce(session, "ConsentRegistry", async (nonce) => {
    const signature = await signTyped(session, "ConsentRegistry", typesFor("RevokeConsent"), { consentId, nonce });
    unwrap(await revokeConsentConsentsConsentIdRevokePost({ path: { consent_id: consentId }, body: { nonce: Number(nonce), signature } }));
    return consentId;
  }));

  const scopeWords = (bits: number) => (Object.keys(SCOPES) as ScopeName[]).filter((key) => bits & SCOPES[key]).map((key) => t(scopeLabel(key))).join("、");
  return (
    <Card title={t("grantConsent")} testId="consents">
      <form onSubmit={grant} className="form">
        <label>{t("bankName")}
          <select name="bank" value={bank} onChange={(e) => setBank(e.target.value)} required>
            <option value="" />
            {banks.map((firm) => <option key={firm.address} value={firm.address}>{firmName(firm, i18n.language)}</option>)}
          </select>
        </label>
        <fieldset><legend>{t("scope")}</legend>
          {(Object.keys(SCOPES) as ScopeName[]).map((key) => (
            <label key={key} className="inline"><input type="checkbox" name={`scope-${key}`} checked={scope[key]} onChange={(e) => setScope({ ...scope, [key]: e.target.checked })} />
              {t(scopeLabel(key))}</label>
          ))}
        </fieldset>
        <label>{t("expiresOn")}<input name="expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} /></label>
        <button type="submit" disabled={!bank}>{t("grant")}</button>
      </form>
      <ErrorLine error={error} />
      {result && <p className="ok" data-testid="consent-accepted">{t("consentId")}: <code>{result}</code> <Status value="accepted" /></p>}
      <h3>{t("consentsGiven")} <button className="link" onClick={() => void load()} data-testid="consents-refresh">{t("refresh")}</button></h3>
      {given === null ? <p>{t("errors.list_unavailable")}</p> : given.length === 0 ? <p>{t("noData")}</p> : (
        <table data-testid="consents-given">
          <thead><tr><th>{t("bankName")}</th><th>{t("scope")}</th><th>{t("expiresOn")}</th><th>{t("stateLabel")}</th><th /></tr></thead>
          <tbody>{given.map((c) => (
            <tr key={c.consent_id} data-consent={c.consent_id}>
              <td><FirmLabel address={c.bank} /></td><td>{scopeWords(c.scope)}</td><td>{dateText(c.expires_at, i18n.language)}</td><td><Status value={c.status} /></td>
              <td>{c.active && <button onClick={() => void revoke(c.consent_id)} data-testid="revoke">{t("revoke")}</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  );
}

function scopeLabel(key: ScopeName): string {
  return `scope${key[0].toUpperCase()}${key.slice(1)}`;
}

export function Decisions({ title = "decisionsAboutMe" }: { title?: string }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<DecisionSummary[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    listDecisionsCreditDecisionsGet({ query: { limit: 20 } }).then((a) => setRows(unwrap(a).data)).catch(setError);
  }, []);
  return (
    <Card title={t(title)} testId="decisions">
      <ErrorLine error={error} />
      {rows.length === 0 ? <p>{t("noData")}</p> : (
        <table>
          <thead><tr><th>{t("firm")}</th><th>{t("amount")}</th><th>{t("outcome")}</th><th>{t("grade")}</th><th>{t("pd")}</th></tr></thead>
          <tbody>{rows.map((d) => (
            <tr key={d.decision_id}><td><FirmLabel address={d.firm} /></td><td><Money minor={d.amount} currency={d.currency ?? 156} /></td><td><Status value={d.outcome} /></td><td>{d.grade ?? "—"}</td><td>{d.pd == null ? "—" : `${(d.pd * 100).toFixed(2)}%`}</td></tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  );
}
