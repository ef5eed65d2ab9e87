import { useState } from "react";
import { useTranslation } from "react-i18next";
import { setLanguage } from "./i18n";
import { keystoreSigner, signIn, signOut, walletAvailable, walletSigner, type Session } from "./session";
import { BankPage } from "./pages/Bank";
import { CorePage } from "./pages/Core";
import { OperatorPage } from "./pages/Operator";
import { SmePage } from "./pages/Sme";
import { ErrorLine } from "./ui";

type Page = "sme" | "core" | "bank" | "operator";

export function pagesFor(roles: string[], operator: boolean): Page[] {
  if (operator) return ["operator"];
  const pages: Page[] = [];
  if (roles.includes("SUPPLIER")) pages.push("sme");
  if (roles.includes("CORE")) pages.push("core");
  if (roles.includes("BANK")) pages.push("bank");
  return pages;
}

const TITLES: Record<Page, string> = { sme: "smeHome", core: "coreHome", bank: "bankHome", operator: "operatorHome" };

export function App() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<Session | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  function go(next: Page) {
    setPage(next);
    window.history.pushState(null, "", `/${next}`);
  }
  const pages = session ? pagesFor(session.roles, session.operator) : [];
  const current = page && pages.includes(page) ? page : pages[0];
  return (
    <>
      <header>
        <strong>{t("app")}</strong>
        <nav>{pages.map((p) => <button key={p} className={p === current ? "active" : ""} onClick={() => go(p)}>{t(TITLES[p])}</button>)}</nav>
        <span className="spacer" />
        {session && <code className="who" data-testid="who">{session.address}</code>}
        <button data-testid="language" onClick={() => setLanguage(i18n.language.startsWith("zh") ? "en" : "zh-CN")}>{t("language")}</button>
        {session && <button onClick={() => { signOut(); setSession(null); }}>{t("signOut")}</button>}
      </header>
      <main>
        {!session && <SignIn onSession={(s) => { setSession(s); const first = pagesFor(s.roles, s.operator)[0]; if (first) go(first); }} />}
        {session && current === "sme" && <SmePage session={session} />}
        {session && current === "core" && <CorePage session={session} />}
        {session && current === "bank" && <BankPage session={session} />}
        {session && current === "operator" && <OperatorPage />}
      </main>
    </>
  );
}

function SignIn({ onSession }: { onSession: (session: Session) => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(signer: () => Promise<Parameters<typeof signIn>[0]>) {
    setBusy(true);
    setError(null);
    try {
      onSession(await signIn(await signer()));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card signin" data-testid="signin">
      <h1>{t("signInTitle")}</h1>
      <p>{t("signInHint")}</p>
      {walletAvailable() && <button onClick={() => void run(walletSigner)}>{t("wallet")}</button>}
      <form className="form" onSubmit={(e) => { e.preventDefault(); if (file) void run(async () => keystoreSigner(await file.text(), password)); }}>
        <label>{t("keystore")}<input name="keystore" type="file" accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></label>
        <label>{t("password")}<input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <button type="submit" disabled={busy || !file}>{busy ? t("signingIn") : t("unlock")}</button>
      </form>
      <ErrorLine error={error} />
    </section>
  );
}
