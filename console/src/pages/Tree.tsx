// A receivable's tree down the tiers (issue 15): the parts of it the caller may read, each labelled
// with its holder, amount and state. The API lists only those parts; one the caller may not see
// shows up as a gap (a visible part whose parent is not listed), drawn under one grey node.
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ReceivablePublic } from "../client/types.gen";
import { list } from "../api";
import { formatMoney } from "../money";
import { Address, Chart, ErrorLine, firmName, lookUp, type Firm } from "../ui";

interface Node { name: string; children: Node[]; itemStyle?: { color: string } }

const HIDDEN_COLOUR = "#bbb";

export function ReceivableTree({ root }: { root: string }) {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<ReceivablePublic[] | null>(null);
  const [names, setNames] = useState<Record<string, Firm | null>>({});
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { root, limit: 200 })
      .then(async (page) => {
        const found = page?.data ?? [];
        const holders = [...new Set(found.map((r) => r.holder))];
        const firms = await Promise.all(holders.map(lookUp));
        setNames(Object.fromEntries(holders.map((holder, i) => [holder, firms[i]])));
        setRows(found);
      })
      .catch(setError);
  }, [root]);
  const shaped = useMemo(() => {
    if (!rows) return null;
    const label = (r: ReceivablePublic) => {
      const holder = names[r.holder] ? firmName(names[r.holder]!, i18n.language) : `${r.holder.slice(0, 10)}…`;
      const money = formatMoney(r.amount, r.currency ?? 156, i18n.language);
      return `${holder}\n${money} · ${t(`status.${r.status}`, { defaultValue: r.status })}`;
    };
    return shape(rows, label, t("treeHidden"));
  }, [rows, names, i18n.language, t]);
  return (
    <div className="tree" data-testid="receivable-tree" data-root={root} data-nodes={rows?.length ?? 0} data-gaps={shaped?.gaps ?? 0}>
      <ErrorLine error={error} />
      {shaped && shaped.top && (
        <>
          <p><Address value={root} /> · {t("treeShown")}: {rows!.length}{shaped.gaps > 0 && <> · {t("treeHiddenNote")}</>}</p>
          <Chart option={treeOption(shaped.top)} height={Math.max(160, shaped.leaves * 56)} />
        </>
      )}
    </div>
  );
}

/** The listed parts as one tree: children under their parents; the parts whose parent is not
 * listed (the caller may not see it) under one grey node, itself under the root when it is seen. */
function shape(rows: ReceivablePublic[], label: (r: ReceivablePublic) => string, hiddenName: string) {
  const byId = new Map(rows.map((r) => [r.receivable_id, { name: label(r), children: [] } as Node]));
  const hidden: Node = { name: hiddenName, children: [], itemStyle: { color: HIDDEN_COLOUR } };
  let top: Node | null = null;
  const ordered = [...rows].sort((a, b) => a.tier - b.tier || Number(b.amount) - Number(a.amount));
  for (const r of ordered) {
    const node = byId.get(r.receivable_id)!;
    if (r.parent_id === null) top = node;
    else (byId.get(r.parent_id) ?? hidden).children.push(node);
  }
  const gaps = hidden.children.length;
  if (gaps > 0) top ? top.children.push(hidden) : (top = hidden);
  return { top, gaps, leaves: top ? countLeaves(top) : 0 };
}

function countLeaves(node: Node): number {
  return node.children.length === 0 ? 1 : node.children.reduce((sum, child) => sum + countLeaves(child), 0);
}

function treeOption(top: Node) {
  return {
    tooltip: { trigger: "item" },
    series: [{
      // labels above their nodes, so that long firm names are not cut at the chart's edges
      type: "tree", data: [top], orient: "LR", top: 40, bottom: 16, left: 170, right: 170,
      symbolSize: 9, initialTreeDepth: -1, expandAndCollapse: false,
      label: { position: "top", verticalAlign: "bottom", align: "center", fontSize: 11, lineHeight: 14 },
    }],
  };
}

/** The trees of the receivables a firm holds (the bank's profile view): one at a time. */
export function FirmTrees({ firm }: { firm: string }) {
  const { t } = useTranslation();
  const [roots, setRoots] = useState<string[] | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { holder: firm, limit: 100 })
      .then((page) => {
        const found = [...new Set((page?.data ?? []).map((r) => r.root_id))];
        setRoots(found);
        setShown(found[0] ?? null);
      })
      .catch(() => setRoots([]));
  }, [firm]);
  if (!roots) return null;
  return (
    <div data-testid="firm-trees">
      <h3>{t("trees")}</h3>
      {roots.length === 0 ? <p>{t("noData")}</p> : roots.map((root) => (
        <button key={root} className="link" onClick={() => setShown(root)} data-testid="tree-root"><Address value={root} /></button>
      ))}
      {shown && <ReceivableTree key={shown} root={shown} />}
    </div>
  );
}
