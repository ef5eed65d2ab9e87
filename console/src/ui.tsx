// Small shared pieces: a translated error, money, a chart, an address, a status.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import * as echarts from "echarts";
import { ApiError, unwrap } from "./api";
import { readFirmFirmsAddressGet } from "./client/sdk.gen";
import { formatMoney } from "./money";

export function errorText(t: (key: string, options?: Record<string, unknown>) => string, error: unknown): string {
  if (error instanceof ApiError) return t(`errors.${error.code}`, { defaultValue: error.message || error.code });
  return t("errors.internal_error");
}

export function ErrorLine({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return <p className="error" role="alert" data-code={error instanceof ApiError ? error.code : "unknown"}>{errorText(t, error)}</p>;
}

export function Money({ minor, currency = 156 }: { minor: number | string | bigint; currency?: number | string }) {
  const { i18n } = useTranslation();
  return <span className="money">{formatMoney(minor, currency, i18n.language)}</span>;
}

export function Status({ value }: { value: string | null | undefined }) {
  const { t } = useTranslation();
  if (!value) return null;
  return <span className={`status status-${value}`}>{t(`status.${value}`, { defaultValue: value })}</span>;
}

export function Address({ value }: { value: string }) {
  return <code className="address" title={value}>{value.slice(0, 8)}…{value.slice(-6)}</code>;
}

export interface Firm { address: string; legal_name_zh?: string | null; legal_name_en?: string | null; uscc?: string | null }

/** A firm as people know it: its directory name in the page's language, then its address. */
export function firmName(firm: Firm, language: string): string {
  const name = language.startsWith("zh") ? firm.legal_name_zh || firm.legal_name_en : firm.legal_name_en || firm.legal_name_zh;
  return name ? `${name} (${firm.address.slice(0, 8)}…)` : firm.address;
}

// One directory read per firm and page load: lists name the same firms over and over.
const directory = new Map<string, Promise<Firm | null>>();

/** The firm's directory entry (null when it has none), read once per page load. */
export function lookUp(address: string): Promise<Firm | null> {
  if (!directory.has(address)) {
    directory.set(address, readFirmFirmsAddressGet({ path: { address } }).then((a) => unwrap(a) as Firm).catch(() => null));
  }
  return directory.get(address)!;
}

/** The firm's name from the directory, or its address while unknown. */
export function FirmLabel({ address }: { address: string }) {
  const { i18n } = useTranslation();
  const [firm, setFirm] = useState<Firm | null>(null);
  useEffect(() => { void lookUp(address).then(setFirm); }, [address]);
  return firm && (firm.legal_name_zh || firm.legal_name_en) ? <span className="firm" title={address}>{firmName(firm, i18n.language)}</span> : <Address value={address} />;
}

export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Chart({ option, height = 240 }: { option: echarts.EChartsCoreOption; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: "canvas" });
    chart.setOption(option);
    return () => chart.dispose();
  }, [option]);
  return <div ref={element} className="chart" style={{ height }} />;
}

/** Months back from now, oldest first, labelled by locale ("2026年11月" / "Nov 2026"). */
export function monthLabels(count: number, asOf: number, locale: string): string[] {
  const end = new Date(asOf * 1000);
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (count - 1 - index), 1));
    return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" }).format(date);
  });
}

export function dateText(seconds: number | null | undefined, locale: string): string {
  if (!seconds) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(seconds * 1000));
}
