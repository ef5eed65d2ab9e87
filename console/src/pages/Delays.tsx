// Days beyond terms over time (issue 15): the amount-weighted days the firm paid its suppliers
// beyond terms, per thirty-day bucket of the record (payment_delays_as_payer.monthly).
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Chart, monthLabels } from "../ui";

export function DelaysChart({ figures, asOf }: { figures: Record<string, any>; asOf: number }) {
  const { t, i18n } = useTranslation();
  const monthly: (number | null)[] = figures.payment_delays_as_payer?.monthly ?? [];
  const option = useMemo(() => {
    const oldestFirst = [...(figures.payment_delays_as_payer?.monthly ?? [])].reverse() as (number | null)[];
    return {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: monthLabels(oldestFirst.length, asOf, i18n.language) },
      yAxis: { type: "value" },
      series: [{ type: "line", name: t("delaysByMonth"), connectNulls: false, data: oldestFirst.map((d) => (d === null ? null : Math.round(d * 10) / 10)) }],
    };
  }, [figures, asOf, i18n.language, t]);
  return (
    <div data-testid="delays-chart" data-months={monthly.length}>
      <h3>{t("delaysByMonth")}</h3>
      {monthly.length === 0 ? <p>{t("noData")}</p> : <Chart option={option} height={200} />}
    </div>
  );
}
