// Who is signed in: a signer that never leaves the page (a decrypted keystore, or an EIP-1193
// wallet), and the API's bearer token from SIWE.
import { BrowserProvider, Wallet, type Signer, type TypedDataField } from "ethers";
import { client } from "./client/client.gen";
import { createChallengeAuthChallengePost, createTokenAuthTokenPost, ledgerInfoLedgerGet } from "./client/sdk.gen";
import { ApiError, unwrap } from "./api";
import { ledgerDomain, type Domain } from "./ledger";

export interface Session {
  address: string;
  roles: string[];
  operator: boolean;
  signer: Signer;
  ledger: LedgerInfo;
}

export interface LedgerInfo {
  chain_id: number;
  contracts: Record<string, string>;
  rpc_url: string;
}

let token: string | null = null;
client.setConfig({ baseUrl: window.location.origin });
client.interceptors.request.use((request) => {
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  return request;
});

export async function keystoreSigner(json: string, password: string): Promise<Signer> {
  try {
    return await Wallet.fromEncryptedJson(json, password);
  } catch {
    throw new ApiError(0, "keystore_password", "wrong password or not a keystore");
  }
}

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export function walletAvailable(): boolean {
  return typeof (window as { ethereum?: Eip1193 }).ethereum !== "undefined";
}

export async function walletSigner(): Promise<Signer> {
  const provider = new BrowserProvider((window as unknown as { ethereum: Eip1193 }).ethereum);
  await provider.send("eth_requestAccounts", []);
  return provider.getSigner();
}

/** SIWE: sign the API's one-time message, keep the bearer token. */
export async function signIn(signer: Signer): Promise<Session> {
  const address = await signer.getAddress();
  const challenge = unwrap(await createChallengeAuthChallengePost({ body: { address } }));
  let signature: string;
  try {
    signature = await signer.signMessage(challenge.message);
  } catch (error) {
    throw error instanceof ApiError ? error : new ApiError(0, "wallet_rejected", String(error));
  }
  const issued = unwrap(await createTokenAuthTokenPost({ body: { message: challenge.message, signature } }));
  token = issued.access_token;
  const ledger = unwrap(await ledgerInfoLedgerGet()) as unknown as LedgerInfo;
  return { address: issued.address, roles: issued.roles, operator: issued.operator, signer, ledger };
}

export function signOut(): void {
  token = null;
}

export function domainOf(session: Session, contract: string): Domain {
  return ledgerDomain(session.ledger.chain_id, session.ledger.contracts[contract]);
}

export async function signTyped(
  session: Session,
  contract: string,
  types: Record<string, TypedDataField[]>,
  message: Record<string, unknown>,
): Promise<string> {
  return session.signer.signTypedData(domainOf(session, contract), types, message);
}
