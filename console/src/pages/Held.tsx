// The receivables a supplier holds, and passing them down the tiers: a split between its own
// suppliers, or a transfer (a split into one piece), signed in the page with the holder's key.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { splitReceivableReceivablesReceivableIdSplitPost } from "../client/sdk.gen";
import type { ReceivablePublic } from "../client/types.gen";
import { list, unwrap } from "../api";
import { withNextNonce } from "../chain";
import { splitMessage, typesFor } from "../ledger";
import { amountJson, parseMajor } from "../money";
import { signTyped, type Session } from "../session";
import { OffersReceived } from "./Financing";
import { Address, Card, ErrorLine, FirmLabel, Money, Status, dateText, firmName, type Firm } from "../ui";
import { SettleActions } from "./Settle";
import { ReceivableTree } from "./Tree";

export function HeldReceivables({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<ReceivablePublic[] | null>(null);
  const [splitting, setSplitting] = useState<ReceivablePublic | null>(null);
  const [tree, setTree] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<ReceivablePublic>("/receivables", { holder: session.address, limit: 100 }).then((p) => setRows(p?.data ?? null)).catch(setError);
  }, [session.address]);
  return (
    <Card title={t("receivablesHeld")} testId="held">
      <ErrorLine error={error} />
      {rows === null ? <p>{t("errors.list_unavailable")}</p> : rows.length === 0 ? <p>{t("noData")}</p> : (
        <table>
          <thead><tr><th>{t("receivable")}</th><th>{t("tier")}</th><th>{t("obligor")}</th><th>{t("amount")}</th><th>{t("due")}</th><th>{t("stateLabel")}</th><th /></tr></thead>
          <tbody>{rows.map((r) => (
            <tr key={r.receivable_id}>
              <td><Address value={r.receivable_id} /></td><td>{r.tier}</td><td><FirmLabel address={r.obligor} /></td>
              <td><Money minor={r.amount} currency={r.currency ?? 156} /></td><td>{dateText(r.due_at, i18n.language)}</td><td><Status value={r.status} /></td>
              <td>{r.status === "confirmed" && !r.financed && <button onClick={() => setSplitting(r)} data-testid="split-open">{t("splitOrTransfer")}</button>}
                <button className="link" onClick={() => setTree(tree === r.root_id ? null : r.root_id)} data-testid="tree-open">{t(tree === r.root_id ? "hideTree" : "showTree")}</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {tree && <ReceivableTree key={tree} root={tree} />}
      {rows && <SettleActions session={session} receivables={rows} />}
      <OffersReceived session={session} />
      {splitting && <SplitForm key={splitting.receivable_id} session={session} receivable={splitting} />}
    </Card>
  );
}

interface Piece { to: string; amount: string }

function SplitForm({ session, receivable }: { session: Session; receivable: ReceivablePublic }) {
  const { t, i18n } = useTranslation();
  const [suppliers, setSuppliers] = useState<Firm[]>([]);
  const [pieces, setPieces] = useState<Piece[]>([{ to: "", amount: "" }]);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    list<Firm>("/firms", { role: "supplier", status: "active", limit: 100 })
      .then((page) => setSuppliers((page?.data ?? []).filter((f) => f.address !== session.address)))
      .catch(() => setSuppliers([]));
  }, [session.address]);
  const minors = pieces.map((piece) => parseMajor(piece.amount));
  const total = minors.reduce<bigint>((sum, minor) => sum + (minor ?? 0n), 0n);
  const rest = BigInt(receivable.amount) - total;

  function change(index: number, field: keyof Piece, value: string) {
    setPieces(pieces.map((piece, i) => (i === index ? { ...piece, [field]: value } : piece)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (minors.some((minor) => minor === null || minor <= 0n) || rest < 0n) return setError(new Error("invalid"));
    // What the holder does not pass on stays with it, as the split's last piece.
    const to = pieces.map((piece) => piece.to);
    const amounts = minors.map((minor) => minor as bigint);
    if (rest > 0n) { to.push(session.address); amounts.push(rest); }
    setBusy(true);
    try {
      const accepted = await withNextNonce(session, "ReceivableLedger", async (nonce) => {
        const message = splitMessage(receivable.receivable_id, to, amounts, nonce);
        const signature = await signTyped(session, "ReceivableLedger", typesFor("Split"), message);
        return unwrap(await splitReceivableReceivablesReceivableIdSplitPost({
          path: { receivable_id: receivable.receivable_id },
          body: { to, amounts: amounts.map(amountJson) as never, nonce: Number(nonce), holder_signature: signature },
        }));
      });
      setQueued(accepted.id);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="form" data-testid="split-form">
      <p>{t("splitOf")} <Address value={receivable.receivable_id} /> <Money minor={receivable.amount} currency={receivable.currency ?? 156} /></p>
      {pieces.map((piece, index) => (
        <div key={index} className="piece">
          <label>{t("to")}
            <select name={`to_${index}`} value={piece.to} onChange={(e) => change(index, "to", e.target.value)} required>
              <option value="" />
              {suppliers.map((firm) => <option key={firm.address} value={firm.address}>{firmName(firm, i18n.language)}</option>)}
            </select>
          </label>
          <label>{t("amountYuan")}<input name={`amount_${index}`} inputMode="decimal" value={piece.amount} onChange={(e) => change(index, "amount", e.target.value)} required /></label>
        </div>
      ))}
      <button type="button" onClick={() => setPieces([...pieces, { to: "", amount: "" }])} disabled={pieces.length >= 31}>{t("addPiece")}</button>
      <p>{t("keptByMe")}: {rest >= 0n ? <Money minor={rest} currency={receivable.currency ?? 156} /> : <span className="error">{t("overAmount")}</span>}</p>
      <button type="submit" disabled={busy || rest < 0n}>{busy ? t("loading") : t("signAndSplit")}</button>
      <ErrorLine error={error} />
      {queued && <p className="ok" data-testid="split-queued"><Status value="accepted" /></p>}
    </form>
  );
}
