// The ledger's EIP-712 types and messages: the same as backend/sdk/typed_data.py (a Vitest test
// compares hashes and signatures with vectors made by the Python SDK, so the two cannot drift).
import { AbiCoder, TypedDataEncoder, keccak256, type TypedDataField } from "ethers";

export const DOMAIN_NAME = "SCF Ledger";
export const DOMAIN_VERSION = "1";
export const ZERO32 = "0x" + "00".repeat(32);

export const LEDGER_TYPES: Record<string, TypedDataField[]> = {
  Trade: fields("seller:address buyer:address kind:uint8 docHash:bytes32 amount:uint128 currency:uint16 issuedAt:uint64 dueAt:uint64 ref:bytes32 invoiceKey:bytes32"),
  Payment: fields("tradeId:bytes32 amount:uint128 paidAt:uint64 payRef:bytes32"),
  Reject: fields("tradeId:bytes32 reason:bytes32"),
  Split: fields("receivableId:bytes32 to:address[] amounts:uint128[] nonce:uint256"),
  Finance: fields("receivableId:bytes32 bank:address advance:uint128 rateBps:uint32 deadline:uint64 nonce:uint256"),
  Settle: fields("receivableId:bytes32 amount:uint128 paidAt:uint64 payRef:bytes32"),
  Consent: fields("firm:address bank:address scope:uint32 expiresAt:uint64 nonce:uint256"),
  MarkDefault: fields("receivableId:bytes32 nonce:uint256"),
  RevokeConsent: fields("consentId:bytes32 nonce:uint256"),
};

export type PrimaryType = keyof typeof LEDGER_TYPES;

function fields(spec: string): TypedDataField[] {
  return spec.split(" ").map((pair) => {
    const [name, type] = pair.split(":");
    return { name, type };
  });
}

export interface Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: string;
}

export function ledgerDomain(chainId: number, verifyingContract: string): Domain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract };
}

/** The types of one primary type, as ethers takes them (no EIP712Domain entry). */
export function typesFor(primaryType: PrimaryType): Record<string, TypedDataField[]> {
  return { [primaryType]: LEDGER_TYPES[primaryType] };
}

export function typedDataHash(domain: Domain, primaryType: PrimaryType, message: Record<string, unknown>): string {
  return TypedDataEncoder.hash(domain, typesFor(primaryType), message);
}

/** A Chinese e-invoice's identity: keccak256(abi.encode(issuer USCC, invoice number)). */
export function invoiceKey(issuerCreditCode: string, invoiceNumber: string): string {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["string", "string"],
    [issuerCreditCode.trim().toUpperCase(), invoiceNumber.trim()],
  );
  return keccak256(encoded);
}

export const TRADE_KINDS = { order: 0, delivery: 1, invoice: 2 } as const;
export type TradeKindName = keyof typeof TRADE_KINDS;

/** The API's trade JSON (snake_case, kind by name) as the EIP-712 Trade message. */
export interface TradeJson {
  seller: string;
  buyer: string;
  kind: TradeKindName;
  doc_hash: string;
  amount: number | string;
  currency: number;
  issued_at: number;
  due_at?: number;
  ref?: string;
  invoice_key?: string;
}

export function tradeMessage(trade: TradeJson): Record<string, unknown> {
  return {
    seller: trade.seller,
    buyer: trade.buyer,
    kind: TRADE_KINDS[trade.kind as TradeKindName],
    docHash: trade.doc_hash,
    amount: BigInt(trade.amount),
    currency: trade.currency,
    issuedAt: trade.issued_at,
    dueAt: trade.due_at ?? 0,
    ref: trade.ref ?? ZERO32,
    invoiceKey: trade.invoice_key ?? ZERO32,
  };
}

/** The EIP-712 Split message: the holder passes `receivableId` on as pieces `amounts[i]` to
 * `to[i]` (a piece to itself is what it keeps; one piece to another firm is a transfer). */
export function splitMessage(receivableId: string, to: string[], amounts: bigint[], nonce: bigint): Record<string, unknown> {
  return { receivableId, to, amounts, nonce };
}

/** The EIP-712 Settle message: the holder acknowledges the obligor paid `amount` (the full
 * amount) at `paidAt`; `payRef` is the payment reference (the console: reasonBytes32 of its text). */
export function settleMessage(receivableId: string, amount: bigint, paidAt: number, payRef: string = ZERO32): Record<string, unknown> {
  return { receivableId, amount, paidAt, payRef };
}

/** The EIP-712 MarkDefault message: the holder declares the overdue receivable defaulted,
 * spending its receivable nonce. */
export function markDefaultMessage(receivableId: string, nonce: bigint): Record<string, unknown> {
  return { receivableId, nonce };
}

/** The EIP-712 Finance message: `bank` advances `advance` (minor units) against `receivableId` at
 * `rateBps` a year, signed by the bank and by the holder (whose `nonce` it spends) before `deadline`. */
export function financeMessage(
  receivableId: string, bank: string, advance: bigint, rateBps: number, deadline: number, nonce: bigint,
): Record<string, unknown> {
  return { receivableId, bank, advance, rateBps, deadline, nonce };
}

/** A reason of at most 32 bytes of UTF-8, right-padded with zeros (the Reject type's bytes32). */
export function reasonBytes32(reason: string): string {
  const bytes = new TextEncoder().encode(reason).slice(0, 32);
  const padded = new Uint8Array(32);
  padded.set(bytes);
  return "0x" + Array.from(padded, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of a document's bytes, in the page (the document's hash on the ledger). */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return "0x" + Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
