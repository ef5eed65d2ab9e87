// What the console reads from the node itself rather than from the API: a signer's next nonce
// of a contract (the ledger, not the API, is its keeper).
import { Contract, JsonRpcProvider } from "ethers";
import { ApiError } from "./api";
import type { Session } from "./session";

export type NoncedContract = "ReceivableLedger" | "ConsentRegistry";

const LEDGER_ABI = ["function nonces(address signer) view returns (uint256)", "function gracePeriod() view returns (uint64)"];

/** The highest nonce this page had accepted, per contract and signer: the relayer may not have
 * landed it yet, and the API counts a nonce in flight as spent. */
const accepted = new Map<string, bigint>();

function key(session: Session, contract: NoncedContract): string {
  return `${contract}:${session.address}`;
}

function ledger(session: Session, contract: NoncedContract): Contract {
  const provider = new JsonRpcProvider(session.ledger.rpc_url, undefined, { staticNetwork: true });
  return new Contract(session.ledger.contracts[contract], LEDGER_ABI, provider);
}

async function onChain(session: Session, contract: NoncedContract): Promise<bigint> {
  return (await ledger(session, contract).nonces(session.address)) as bigint;
}

/** Seconds after its due date before a receivable may be marked defaulted. */
export async function gracePeriod(session: Session): Promise<number> {
  return Number(await ledger(session, "ReceivableLedger").gracePeriod());
}

/** The signer's next nonce: the node's, or one past the last this page had accepted. */
export async function nextNonce(session: Session, contract: NoncedContract): Promise<bigint> {
  const chain = await onChain(session, contract);
  const mine = accepted.get(key(session, contract));
  return mine !== undefined && mine >= chain ? mine + 1n : chain;
}

/** Signs and submits with the signer's next nonce. A submission this page counted on may have
 * failed on chain since, so an `invalid_nonce` answer is tried once more with the node's. */
export async function withNextNonce<T>(session: Session, contract: NoncedContract, submit: (nonce: bigint) => Promise<T>): Promise<T> {
  const nonce = await nextNonce(session, contract);
  try {
    const answer = await submit(nonce);
    accepted.set(key(session, contract), nonce);
    return answer;
  } catch (error) {
    const mine = accepted.get(key(session, contract));
    if (!(error instanceof ApiError) || error.code !== "invalid_nonce" || mine === undefined) throw error;
    accepted.delete(key(session, contract));
    const retry = await onChain(session, contract);
    const answer = await submit(retry);
    accepted.set(key(session, contract), retry);
    return answer;
  }
}
