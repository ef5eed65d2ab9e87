// Reads from the node itself, where the ledger (not the API) keeps the truth.
import { Contract, JsonRpcProvider } from "ethers";
import type { Session } from "./session";

const NONCES_ABI = ["function nonces(address signer) view returns (uint256)"];

/** A holder's next receivable nonce, read from the node: what a split or a financing it signs
 * must carry (the signed-in firm's own, unless another holder is named, as a bank's offer does). */
export async function nextNonce(session: Session, holder: string = session.address): Promise<bigint> {
  const ledger = new Contract(session.ledger.contracts.ReceivableLedger, NONCES_ABI, node(session));
  return (await ledger.nonces(holder)) as bigint;
}

/** Now, in unix seconds, by the later of the ledger's clock (its latest block, which a deadline is
 * checked against on chain) and this computer's (which the API checks it against). */
export async function ledgerNow(session: Session): Promise<number> {
  const block = await node(session).getBlock("latest");
  return Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000));
}

function node(session: Session): JsonRpcProvider {
  return new JsonRpcProvider(session.ledger.rpc_url, undefined, { staticNetwork: true });
}
