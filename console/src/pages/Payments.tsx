// The core enterprise's payments: what it owes by due month (a calendar of bars, one series per
// currency, and the table, overdue highlighted), the receivables it settled or defaulted on with
// how late, and the trade payments it made. Amounts of two currencies are never added.
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { PaymentListed, ReceivablePublic } from "../client/types.gen";
import { list } from "../api";
import { currencyCode, majorNumber } from "../money";
import type { Session } from "../session";
import { Address, Card, Chart, ErrorLine, FirmLabel, Money, Status, dateText } from "../ui";

const OWED_STATES = new Set(["pending", "confirmed", "financed"]);
const ENDED_STATES = new Set(["settled", "defaulted"]);

export function PaymentsPanel({ session }: { session: Session }) {
  const [owed, setOwed] = useState<ReceivablePublic[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { obligor: session.address, limit: 200 }).then((p) => setOwed(p?.data ?? null)).catch(setError);
  }, [session.address]);
  return (
    <>
      <PayablesCalendar rows={owed?.filter((r) => OWED_STATES.has(r.status)) ?? null} error={error} />
      <Settlement session={session} rows={owed?.filter((r) => ENDED_STATES.has(r.status)) ?? null} />
    </>
  );
}

/** "2026-12": the UTC month of a unix time, the calendar's key (sorts as it reads). */
function monthKey(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 7);
}

function monthLabel(key: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${key}-01T00:00:00Z`));
}

/** Sums of minor units per currency (never across currencies). */
function byCurrency<T>(rows: T[], amount: (row: T) => number | string, currency: (row: T) => number): Map<number, bigint> {
  const sums = new Map<number, bigint>();
  for (const row of rows) sums.set(currency(row), (sums.get(currency(row)) ?? 0n) + BigInt(amount(row)));
  return sums;
}

function PayablesCalendar({ rows, error }: { rows: ReceivablePublic[] | null; error: unknown }) {
  const { t, i18n } = useTranslation();
  const sorted = useMemo(() => [...(rows ?? [])].sort((a, b) => a.due_at - b.due_at), [rows]);
  const months = useMemo(() => [...new Set(sorted.map((r) => monthKey(r.due_at)))], [sorted]);
  const chart = useMemo(() => {
    // One bar series per currency, in major units for the axis (the table shows exact money).
    const currencies = [...new Set(sorted.map((r) => r.currency ?? 156))];
    const series = currencies.map((currency) => {
      const inCurrency = sorted.filter((r) => (r.currency ?? 156) === currency);
      const perMonth = months.map((month) => inCurrency.filter((r) => monthKey(r.due_at) === month).reduce((sum, r) => sum + BigInt(r.amount), 0n));
      return { type: "bar", name: currencyCode(currency), data: perMonth.map((minor) => majorNumber(minor, currency)) };
    });
    return {
      tooltip: { trigger: "axis" },
      legend: {},
      xAxis: { type: "category", data: months.map((m) => monthLabel(m, i18n.language)) },
      yAxis: { type: "value" },
      series,
    };
  }, [sorted, months, i18n.language]);
  const now = Date.now() / 1000;
  return (
    <Card title={t("payablesCalendar")} testId="payables-calendar">
      <ErrorLine error={error} />
      {rows === null ? <p>{t("errors.list_unavailable")}</p> : sorted.length === 0 ? <p>{t("noData")}</p> : (
        <>
          <Chart option={chart} height={200} />
          <table>
            <thead><tr><th>{t("dueMonth")}</th><th>{t("due")}</th><th>{t("receivable")}</th><th>{t("creditor")}</th><th>{t("amount")}</th><th>{t("stateLabel")}</th></tr></thead>
            <tbody>{sorted.map((r) => {
              const overdue = r.due_at < now;
              return (
                <tr key={r.receivable_id} className={overdue ? "warn" : undefined} data-testid="payable-row" data-receivable={r.receivable_id} data-overdue={overdue}>
                  <td>{monthLabel(monthKey(r.due_at), i18n.language)}</td><td>{dateText(r.due_at, i18n.language)}{overdue && ` · ${t("overdue")}`}</td>
                  <td><Address value={r.receivable_id} /></td><td><FirmLabel address={r.creditor} /></td>
                  <td><Money minor={r.amount} currency={r.currency ?? 156} /></td><td><Status value={r.status} /></td>
                </tr>
              );
            })}</tbody>
          </table>
        </>
      )}
    </Card>
  );
}

function Lateness({ days }: { days: number | null | undefined }) {
  const { t } = useTranslation();
  if (days === null || days === undefined) return <>—</>;
  return <span data-testid="lateness">{days > 0 ? t("daysLate", { count: days }) : t("onTime")}</span>;
}

function Totals({ sums }: { sums: Map<number, bigint> }) {
  const { t } = useTranslation();
  if (sums.size === 0) return null;
  return (
    <p data-testid="payment-totals">{t("totalsByCurrency")}: {[...sums].map(([currency, minor], index) => (
      <span key={currency}>{index > 0 && " · "}<Money minor={minor} currency={currency} /></span>
    ))}</p>
  );
}

function Settlement({ session, rows }: { session: Session; rows: ReceivablePublic[] | null }) {
  const { t, i18n } = useTranslation();
  const [payments, setPayments] = useState<PaymentListed[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<PaymentListed>("/payments", { side: "payer", limit: 200 }).then((p) => setPayments(p?.data ?? null)).catch(setError);
  }, [session.address]);
  const ended = [...(rows ?? [])].sort((a, b) => (b.paid_at ?? b.due_at) - (a.paid_at ?? a.due_at));
  return (
    <Card title={t("settlement")} testId="settlement">
      <h3>{t("settledReceivables")}</h3>
      {ended.length === 0 ? <p>{t("noData")}</p> : (
        <table data-testid="settled-receivables">
          <thead><tr><th>{t("receivable")}</th><th>{t("amount")}</th><th>{t("due")}</th><th>{t("paidOn")}</th><th>{t("lateness")}</th><th>{t("stateLabel")}</th></tr></thead>
          <tbody>{ended.map((r) => (
            <tr key={r.receivable_id} data-testid="settled-row" data-receivable={r.receivable_id} className={r.status === "defaulted" ? "warn" : undefined}>
              <td><Address value={r.receivable_id} /></td><td><Money minor={r.amount} currency={r.currency ?? 156} /></td>
              <td>{dateText(r.due_at, i18n.language)}</td><td>{dateText(r.paid_at, i18n.language)}</td>
              <td>{r.status === "settled" ? <Lateness days={r.late_days} /> : "—"}</td><td><Status value={r.status} /></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <Totals sums={byCurrency(ended.filter((r) => r.status === "settled"), (r) => r.amount, (r) => r.currency ?? 156)} />
      <h3>{t("paymentsMade")}</h3>
      <ErrorLine error={error} />
      {payments === null ? <p>{t("errors.list_unavailable")}</p> : payments.length === 0 ? <p>{t("noData")}</p> : (
        <table data-testid="payments-made">
          <thead><tr><th>{t("paidOn")}</th><th>{t("payee")}</th><th>{t("tradeId")}</th><th>{t("amount")}</th><th>{t("lateness")}</th></tr></thead>
          <tbody>{payments.map((p) => (
            <tr key={p.payment_id}>
              <td>{dateText(p.paid_at, i18n.language)}</td><td><FirmLabel address={p.payee} /></td><td><Address value={p.trade_id} /></td>
              <td><Money minor={p.amount} currency={p.currency} /></td>
              <td><Lateness days={p.days_beyond_terms === null || p.days_beyond_terms === undefined ? null : Math.ceil(p.days_beyond_terms)} /></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {payments && <Totals sums={byCurrency(payments, (p) => p.amount, (p) => p.currency)} />}
    </Card>
  );
}
