// What the console reads from the node itself rather than from the API: a signer's next nonce
// of a contract, the ledger's clock and grace period (the ledger, not the API, is their keeper).
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

function node(session: Session): JsonRpcProvider {
  return new JsonRpcProvider(session.ledger.rpc_url, undefined, { staticNetwork: true });
}

function ledger(session: Session, contract: NoncedContract): Contract {
  return new Contract(session.ledger.contracts[contract], LEDGER_ABI, node(session));
}

/** A signer's next nonce on the node (another firm's, when a bank prepares terms its holder signs). */
export async function chainNonce(session: Session, contract: NoncedContract, signer: string = session.address): Promise<bigint> {
  return (await ledger(session, contract).nonces(signer)) as bigint;
}

/** The signed-in firm's next nonce: the node's, or one past the last this page had accepted. */
export async function nextNonce(session: Session, contract: NoncedContract): Promise<bigint> {
  const chain = await chainNonce(session, contract);
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
    const retry = await chainNonce(session, contract);
    const answer = await submit(retry);
    accepted.set(key(session, contract), retry);
    return answer;
  }
}

/** Seconds after its due date before a receivable may be marked defaulted. */
export async function gracePeriod(session: Session): Promise<number> {
  return Number(await ledger(session, "ReceivableLedger").gracePeriod());
}

/** Now, in unix seconds, by the later of the ledger's clock (its latest block, which a deadline is
 * checked against on chain) and this computer's (which the API checks it against). */
export async function ledgerNow(session: Session): Promise<number> {
  const block = await node(session).getBlock("latest");
  return Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000));
}
