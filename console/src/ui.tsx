// Small shared pieces: a translated error, money, a chart, an address, a status.
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import * as echarts from "echarts";
import { ApiError } from "./api";
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
