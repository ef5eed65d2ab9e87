// The bank's workspace: firms that consented, a firm's credit profile with charts and evidence
// verified in the page, the decision form and the decision history.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import {
  readCreditEvidenceFirmsAddressCreditProfileEvidenceFigureGet, readCreditProfileFirmsAddressCreditProfileGet,
  listDecisionsCreditDecisionsGet, readTradeEvidenceEvidenceTradeTradeIdGet, requestDecisionCreditDecisionsPost,
} from "../client/sdk.gen";
import type { Decision, DecisionSummary, ReceivablePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { parseMajor } from "../money";
import type { Session } from "../session";
import { Address, Card, Chart, ErrorLine, FirmLabel, Money, Status, dateText, monthLabels } from "../ui";
import { checkId, checkOnNode, checkSignatures, type Check, type EvidenceEvent, type TypedDataJson } from "../verify";
import { BankHeld } from "./Settle";
import { FinanceCard } from "./Financing";
import { Decisions } from "./Sme";
import { DelaysChart } from "./Delays";
import { CounterpartyNetwork } from "./Network";
import { FirmTrees } from "./Tree";

const KEY_FIGURES = ["sales_90d", "sales_365d", "receivables_held", "disputes", "repayment_record", "defaults_as_obligor"];

interface ConsentRow { firm: string; scope: number; expires_at: number }

export function BankPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [firm, setFirm] = useState("");
  const [shown, setShown] = useState("");
  const [consents, setConsents] = useState<ConsentRow[] | null>(null);
  useEffect(() => {
    list<ConsentRow>("/consents", { bank: session.address, active: "true", limit: 100 }).then((p) => setConsents(p?.data ?? null)).catch(() => setConsents(null));
  }, [session.address]);
  return (
    <div className="page" data-testid="page-bank">
      <h1>{t("bankHome")}</h1>
      <div className="grid">
        <Card title={t("consentingFirms")} testId="consenting-firms">
          {consents && consents.map((c) => <button key={c.firm} className="link" onClick={() => { setFirm(c.firm); setShown(c.firm); }}><FirmLabel address={c.firm} /></button>)}
          <form className="form" onSubmit={(e) => { e.preventDefault(); setShown(firm.trim()); }}>
            <label>{t("firm")}<input name="firm" value={firm} onChange={(e) => setFirm(e.target.value)} placeholder="0x…" /></label>
            <button type="submit">{t("readProfile")}</button>
          </form>
        </Card>
        {shown && <Profile key={shown} firm={shown} session={session} />}
        {shown && <DecisionForm key={`d${shown}`} firm={shown} />}
        {shown && <FinanceCard key={`f${shown}`} firm={shown} session={session} />}
        <Decisions title="decisionHistory" />
        <BankHeld session={session} />
      </div>
    </div>
  );
}

function Profile({ firm, session }: { firm: string; session: Session }) {
  const { t, i18n } = useTranslation();
  const [profile, setProfile] = useState<Record<string, any> | null>(null);
  const [figure, setFigure] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    readCreditProfileFirmsAddressCreditProfileGet({ path: { address: firm } }).then((a) => setProfile(unwrap(a))).catch(setError);
  }, [firm]);
  const figures = profile?.figures ?? {};
  const sales = useMemo(() => {
    const monthly: number[] = figures.sales_trend?.monthly ?? [];
    return {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: monthLabels(monthly.length, profile?.as_of ?? 0, i18n.language) },
      yAxis: { type: "value" },
      series: [{ type: "line", name: t("salesByMonth"), data: monthly.map((m) => m / 100) }],
    };
  }, [profile, i18n.language, t]);
  const concentration = useMemo(() => {
    const top = figures.buyer_concentration?.top_buyer_share ?? 0;
    return { tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: [{ name: "top", value: top }, { name: "other", value: 1 - top }] }] };
  }, [profile]);
  return (
    <Card title={t("readProfile")} testId="profile">
      <p><FirmLabel address={firm} /></p>
      <LatestDecision firm={firm} />
      <ErrorLine error={error} />
      {profile && (
        <>
          <h3>{t("salesByMonth")}</h3>
          <Chart option={sales} height={200} />
          <DelaysChart figures={figures} asOf={profile.as_of} />
          <h3>{t("concentration")}</h3>
          <Chart option={concentration} height={160} />
          <p>{t("daysBeyondTerms")}: {figures.paydex_as_payer?.days_beyond_terms?.toFixed?.(1) ?? "—"}</p>
          <h3>{t("figures")}</h3>
          <table>
            <tbody>{KEY_FIGURES.filter((name) => figures[name]).map((name) => (
              <tr key={name}>
                <td>{t(`fig_${name}`)}</td>
                <td><FigureValue value={figures[name]} currency={profile.currency ?? 156} /></td>
                <td><button onClick={() => setFigure(name)} data-testid={`evidence-${name}`}>{t("evidence")}</button></td>
              </tr>
            ))}</tbody>
          </table>
          <Attested figures={figures} onEvidence={setFigure} />
          <CounterpartyNetwork firm={firm} />
          <FirmTrees firm={firm} />
          {figure && <Evidence firm={firm} figure={figure} session={session} />}
        </>
      )}
    </Card>
  );
}

/** The bank's latest decision on the firm: its grade, PD, limit and price at a glance (the form
 * beside the profile asks for a new one). */
function LatestDecision({ firm }: { firm: string }) {
  const { t, i18n } = useTranslation();
  const [latest, setLatest] = useState<DecisionSummary | null | undefined>(undefined);
  useEffect(() => {
    listDecisionsCreditDecisionsGet({ query: { firm, limit: 1 } }).then((a) => setLatest(unwrap(a).data[0] ?? null)).catch(() => setLatest(null));
  }, [firm]);
  if (latest === undefined) return null;
  if (latest === null) return <p data-testid="latest-decision">{t("noDecisionYet")}</p>;
  return (
    <p data-testid="latest-decision">{t("latestDecision")} ({dateText(latest.created_at, i18n.language)}): <Status value={latest.outcome} />{" "}
      {t("grade")} {latest.grade ?? "—"} · {t("pd")} {latest.pd == null ? "—" : `${(latest.pd * 100).toFixed(2)}%`} · {t("limit")}{" "}
      <Money minor={latest.limit} currency={latest.currency ?? 156} /> · {t("price")} {(latest.rate_bps / 100).toFixed(2)}%</p>
  );
}

/** A figure's fields in words: amounts as money of the record's currency, rates as percents. */
function FigureValue({ value, currency }: { value: Record<string, unknown>; currency: number }) {
  const { t } = useTranslation();
  const shown = Object.entries(value).filter(([, v]) => typeof v === "number" || v === null);
  return (
    <span className="figure">{shown.map(([key, v], i) => (
      <span key={key}>{i > 0 && " · "}{t(`field.${key}`, { defaultValue: key })} {v === null ? "—"
        : /amount|advance|sum/.test(key) ? <Money minor={v as number} currency={currency} />
        : /rate|share/.test(key) ? percent(v as number)
        : Number.isInteger(v) ? String(v) : (v as number).toFixed(1)}</span>
    ))}</span>
  );
}

/** What machines and carriers vouch for: the record's attested figures, each with its evidence. */
function Attested({ figures, onEvidence }: { figures: Record<string, any>; onEvidence: (name: string) => void }) {
  const { t } = useTranslation();
  const coverage = figures.attested_coverage;
  const deliveries = figures.attested_deliveries;
  const consistency = figures.production_consistency;
  const utilisation = figures.capacity_utilisation;
  if (!coverage && !deliveries && !consistency && !utilisation) return null;
  const rows: [string, string][] = [
    ["attested_coverage", percent(coverage?.share)],
    ["attested_deliveries", percent(deliveries?.share)],
    ["production_consistency", consistency?.flag ? t("consistencyFlag") : consistency?.ratio == null ? "—" : consistency.ratio.toFixed(2)],
    ["capacity_utilisation", `${percent(utilisation?.utilisation)}${utilisation?.trend == null ? "" : ` (${t("trend")} ${utilisation.trend >= 0 ? "+" : ""}${(utilisation.trend * 100).toFixed(1)} pt)`}`],
  ];
  return (
    <>
      <h3>{t("attested")}</h3>
      <table data-testid="attested-figures">
        <tbody>{rows.map(([name, shown]) => (
          <tr key={name} className={name === "production_consistency" && consistency?.flag ? "warn" : undefined}>
            <td>{t(`fig_${name}`)}</td>
            <td>{shown}</td>
            <td><button onClick={() => onEvidence(name)} data-testid={`evidence-${name}`}>{t("evidence")}</button></td>
          </tr>
        ))}</tbody>
      </table>
    </>
  );
}

function percent(share: number | null | undefined): string {
  return share == null ? "—" : `${(share * 100).toFixed(1)}%`;
}

function Evidence({ firm, figure, session }: { firm: string; figure: string; session: Session }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<(EvidenceEvent & { event: string; contract: string })[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    readCreditEvidenceFirmsAddressCreditProfileEvidenceFigureGet({ path: { address: firm, figure } })
      .then((a) => setRows((unwrap(a) as { rows: typeof rows }).rows)).catch(setError);
  }, [firm, figure]);
  return (
    <div className="evidence" data-testid="evidence">
      <h3>{t("evidence")}: {figure}</h3>
      <ErrorLine error={error} />
      {rows.slice(0, 10).map((row) => (
        <EvidenceRow key={`${row.tx_hash}:${row.log_index}`} row={row} session={session} />
      ))}
    </div>
  );
}

function EvidenceRow({ row, session }: { row: EvidenceEvent & { event: string; contract: string }; session: Session }) {
  const { t } = useTranslation();
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [typed, setTyped] = useState<TypedDataJson | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const tradeId = row.args.tradeId as string | undefined;
  async function verify() {
    if (!tradeId) return;
    setBusy(true);
    setError(null);
    try {
      const evidence = unwrap(await readTradeEvidenceEvidenceTradeTradeIdGet({ path: { trade_id: tradeId } })) as {
        typed_data: TypedDataJson; signatures: Record<string, string | null>; events: EvidenceEvent[];
      };
      setTyped(evidence.typed_data);
      const message = evidence.typed_data.message as Record<string, string>;
      const found = [
        checkId(evidence.typed_data, tradeId),
        ...checkSignatures(evidence.typed_data, evidence.signatures, { seller: message.seller, buyer: message.buyer }),
        await checkOnNode(session.ledger.rpc_url, row, session.ledger.contracts[row.contract] ?? "", tradeId),
      ];
      setChecks(found);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  const allOk = checks?.every((check) => check.ok);
  return (
    <div className="evidence-row">
      <p>{row.event} · {t("block")} {row.block_number} · {t("tx")} <Address value={row.tx_hash} />{" "}
        {typeof row.args.amount === "number" && <Money minor={row.args.amount} currency={(row.args.currency as number) ?? 156} />}{" "}
        {tradeId && <button onClick={() => void verify()} disabled={busy} data-testid="verify">{busy ? t("verifying") : t("verify")}</button>}
      </p>
      <ErrorLine error={error} />
      {checks && (
        <ul className={allOk ? "checks ok" : "checks bad"} data-testid={allOk ? "verified" : "not-verified"}>
          {checks.map((check) => (
            <li key={check.name}>{check.ok ? "✔" : "✘"} {check.name === "node" ? t(check.ok ? "txOk" : "txBad") : check.name === "id" ? `${t("tradeId")} = EIP-712` : t(check.ok ? "sigOk" : "sigBad")} <code>{check.detail.slice(0, 18)}</code></li>
          ))}
        </ul>
      )}
      {typed && <details><summary>{t("typedData")}</summary><pre>{JSON.stringify(typed.message, null, 1)}</pre></details>}
    </div>
  );
}

function DecisionForm({ firm }: { firm: string }) {
  const { t, i18n } = useTranslation();
  const [amount, setAmount] = useState("300000");
  const [tenor, setTenor] = useState("60");
  const [held, setHeld] = useState<ReceivablePublic[]>([]);
  const [named, setNamed] = useState<string[]>([]);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { holder: firm, state: "confirmed", limit: 100 }).then((p) => setHeld(p?.data ?? [])).catch(() => setHeld([]));
  }, [firm]);
  async function ask(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const minor = parseMajor(amount);
      if (minor === null) throw new Error("amount");
      // No receivable named: the decision weighs all the confirmed ones the firm holds.
      const receivables = named.length ? { receivable_ids: named } : {};
      setDecision(unwrap(await requestDecisionCreditDecisionsPost({ body: { firm, amount: Number(minor), tenor_days: Number(tenor), ...receivables } })));
    } catch (caught) {
      setError(caught);
    }
  }
  const toggle = (id: string, on: boolean) => setNamed(on ? [...named, id] : named.filter((n) => n !== id));
  return (
    <Card title={t("decisionForm")} testId="decision-form">
      <form className="form" onSubmit={ask}>
        <label>{t("amountYuan")}<input name="decision_amount" value={amount} onChange={(e) => setAmount(e.target.value)} /></label>
        <label>{t("tenorDays")}<input name="tenor" value={tenor} onChange={(e) => setTenor(e.target.value)} /></label>
        {held.length > 0 && (
          <fieldset data-testid="decision-receivables"><legend>{t("decisionReceivables")}</legend>
            {held.map((r) => (
              <label key={r.receivable_id} className="inline">
                <input type="checkbox" name="receivable" value={r.receivable_id} checked={named.includes(r.receivable_id)} onChange={(e) => toggle(r.receivable_id, e.target.checked)} />
                <FirmLabel address={r.obligor} /> <Money minor={r.amount} currency={r.currency ?? 156} /> {t("due")} {dateText(r.due_at, i18n.language)}
              </label>
            ))}
          </fieldset>
        )}
        <button type="submit">{t("ask")}</button>
      </form>
      <ErrorLine error={error} />
      {decision && (
        <dl className="decision" data-testid="decision">
          <dt>{t("outcome")}</dt><dd><Status value={decision.outcome} /></dd>
          <dt>{t("score")}</dt><dd>{decision.score == null ? "—" : Math.round(decision.score)}</dd>
          <dt>{t("grade")}</dt><dd>{decision.grade ?? "—"}</dd>
          <dt>{t("pd")}</dt><dd>{decision.pd == null ? "—" : `${(decision.pd * 100).toFixed(2)}%`}</dd>
          <dt>{t("limit")}</dt><dd><Money minor={(decision.limit as { amount: number }).amount} currency={decision.currency ?? 156} /></dd>
          <dt>{t("price")}</dt><dd>{(decision.rate_bps / 100).toFixed(2)}%</dd>
          <dt>{t("decisionReasons")}</dt>
          <dd><ul>{(decision.decision_reasons as { code: string; message: string }[]).map((r) => <li key={r.code}>{t(`reasons.${r.code}`, { defaultValue: r.message })}</li>)}</ul></dd>
          <dt>{t("scoreReasons")}</dt>
          <dd><ul>{(decision.reasons as { feature: string; points_lost: number }[]).map((r) => <li key={r.feature}>{t(`feat.${r.feature}`, { defaultValue: r.feature })} (−{r.points_lost.toFixed(1)} {t("pointsLost")})</li>)}</ul></dd>
          <dt>{t("verification")}</dt><dd>{decision.verification?.status ? <Status value={decision.verification.status} /> : "—"}</dd>
        </dl>
      )}
    </Card>
  );
}
