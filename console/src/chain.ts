// Reads from the node itself: what the ledger, not the API, is the keeper of.
import { Contract, JsonRpcProvider } from "ethers";
import type { Session } from "./session";

const RECEIVABLE_LEDGER_ABI = [
  "function nonces(address signer) view returns (uint256)",
  "function gracePeriod() view returns (uint64)",
];

function receivableLedger(session: Session): Contract {
  const provider = new JsonRpcProvider(session.ledger.rpc_url, undefined, { staticNetwork: true });
  return new Contract(session.ledger.contracts.ReceivableLedger, RECEIVABLE_LEDGER_ABI, provider);
}

/** The holder's next receivable nonce (a split, a financing and a default spend it). */
export async function nextNonce(session: Session): Promise<bigint> {
  return (await receivableLedger(session).nonces(session.address)) as bigint;
}

/** Seconds after its due date before a receivable may be marked defaulted. */
export async function gracePeriod(session: Session): Promise<number> {
  return Number(await receivableLedger(session).gracePeriod());
}
