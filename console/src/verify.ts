// The evidence view's own checks, in the page: the signatures recover to the parties, the
// typed data hashes to the trade id, and the node (not the API) has the transaction with the
// event at the stated block.
import { JsonRpcProvider, verifyTypedData, type TypedDataField } from "ethers";
import { typedDataHash, type Domain, type PrimaryType } from "./ledger";

export interface TypedDataJson {
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  domain: Domain;
  message: Record<string, unknown>;
}

export interface EvidenceEvent {
  tx_hash: string;
  block_number: number;
  log_index: number;
  args: Record<string, unknown>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function checkSignatures(typed: TypedDataJson, signatures: Record<string, string | null>, parties: Record<string, string>): Check[] {
  const types = { ...typed.types };
  delete types.EIP712Domain;
  const checks: Check[] = [];
  for (const [role, signature] of Object.entries(signatures)) {
    if (!signature) continue;
    const recovered = verifyTypedData(typed.domain, types, typed.message, signature);
    const expected = parties[role] ?? "";
    checks.push({ name: `signature:${role}`, ok: recovered.toLowerCase() === expected.toLowerCase(), detail: recovered });
  }
  return checks;
}

export function checkId(typed: TypedDataJson, id: string): Check {
  const hash = typedDataHash(typed.domain, typed.primaryType as PrimaryType, typed.message);
  return { name: "id", ok: hash.toLowerCase() === id.toLowerCase(), detail: hash };
}

export async function checkOnNode(rpcUrl: string, event: EvidenceEvent, contract: string, id: string): Promise<Check> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    const receipt = await provider.getTransactionReceipt(event.tx_hash);
    const log = receipt?.logs.find((entry) => entry.index === event.log_index);
    const ok = !!receipt && receipt.status === 1 && receipt.blockNumber === event.block_number && !!log &&
      log.address.toLowerCase() === contract.toLowerCase() && log.topics.some((topic) => topic.toLowerCase() === id.toLowerCase());
    return { name: "node", ok, detail: receipt ? `block ${receipt.blockNumber}` : "no receipt" };
  } finally {
    provider.destroy();
  }
}
