// The bank's view of a firm's counterparty network (issue 15): a force-laid graph with the firm in
// the middle and its direct buyers and sellers around it; an edge's width grows with its amount
// against the largest edge of the same currency (amounts of two currencies are never compared).
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { readCounterpartyNetworkFirmsAddressCreditProfileNetworkGet } from "../client/sdk.gen";
import type { CounterpartyNetwork as Network } from "../client/types.gen";
import { unwrap } from "../api";
import { formatMoney } from "../money";
import { Chart, ErrorLine, firmName } from "../ui";

const ROLES = ["firm", "buyer", "seller", "both"] as const;
const HEIGHT = 320;

export function CounterpartyNetwork({ firm }: { firm: string }) {
  const { t, i18n } = useTranslation();
  const [network, setNetwork] = useState<Network | null>(null);
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    readCounterpartyNetworkFirmsAddressCreditProfileNetworkGet({ path: { address: firm } }).then((a) => setNetwork(unwrap(a))).catch(setError);
  }, [firm]);
  const option = useMemo(
    () => network && graphOption(network, { x: (box.current?.clientWidth ?? 600) / 2, y: HEIGHT / 2 }, i18n.language, t),
    [network, i18n.language, t],
  );
  return (
    <div ref={box} data-testid="counterparty-network" data-edges={network?.edges.length ?? 0} data-nodes={network?.nodes.length ?? 0}>
      <h3>{t("network")}</h3>
      <ErrorLine error={error} />
      {network && option && (
        <>
          {network.edges.length === 0 ? <p>{t("noData")}</p> : <Chart option={option} height={HEIGHT} />}
          <p>{t("networkEdges")}: {network.edges.length}{network.count > network.edges.length && <> · {network.count - network.edges.length} {t("networkMore")}</>}</p>
        </>
      )}
    </div>
  );
}

function graphOption(network: Network, middle: { x: number; y: number }, language: string, t: (key: string) => string) {
  const index = new Map(network.nodes.map((node, i) => [node.firm, i]));
  const nodes = network.nodes.map((node) => ({
    name: firmName({ address: node.firm, legal_name_zh: node.legal_name_zh, legal_name_en: node.legal_name_en }, language),
    category: ROLES.indexOf(node.role),
    symbolSize: node.role === "firm" ? 36 : 18,
    // the firm in the middle of the chart, held there; the force layout places the others around it
    ...(node.role === "firm" ? { ...middle, fixed: true } : {}),
  }));
  const largest = new Map<number, number>();
  for (const edge of network.edges) largest.set(edge.currency, Math.max(largest.get(edge.currency) ?? 0, edge.amount));
  const currencies = [...largest.keys()];
  const links = network.edges.map((edge) => ({
    source: index.get(edge.seller), target: index.get(edge.buyer),
    tip: `${formatMoney(edge.amount, edge.currency, language)} · ${edge.count} ${t("invoices")}`,
    lineStyle: { width: 1 + 7 * (edge.amount / largest.get(edge.currency)!), curveness: 0.15 * currencies.indexOf(edge.currency) },
  }));
  return {
    tooltip: { formatter: (item: { dataType?: string; data: { tip?: string; name?: string } }) => (item.dataType === "edge" ? item.data.tip : item.data.name) },
    legend: { data: ROLES.map((role) => roleName(role, t)), bottom: 0 },
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, data: nodes, links,
      categories: ROLES.map((role) => ({ name: roleName(role, t) })),
      edgeSymbol: ["none", "arrow"], label: { show: true, position: "right", fontSize: 11 },
      force: { repulsion: 260, edgeLength: [80, 160] },
    }],
  };
}

function roleName(role: (typeof ROLES)[number], t: (key: string) => string): string {
  return t(role === "firm" ? "firm" : role === "both" ? "buyerAndSeller" : role);
}
