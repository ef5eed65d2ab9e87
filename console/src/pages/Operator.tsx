// The operator's workspace: register firms (with their names where the API takes them), suspend
// and reactivate, and the system's health.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import {
  reactivateFirmFirmsAddressReactivatePost, readyzReadyzGet, registerFirmFirmsPost, suspendFirmFirmsAddressSuspendPost,
} from "../client/sdk.gen";
import type { FirmCreate, FirmPublic } from "../client/types.gen";
import { unwrap } from "../api";
import { Card, ErrorLine, Status } from "../ui";

type Role = FirmCreate["roles"][number];
const ROLES: Role[] = ["supplier", "core", "bank", "oracle"];

export function OperatorPage() {
  const { t } = useTranslation();
  return (
    <div className="page" data-testid="page-operator">
      <h1>{t("operatorHome")}</h1>
      <div className="grid">
        <Register />
        <Standing />
        <Health />
      </div>
    </div>
  );
}

function Register() {
  const { t } = useTranslation();
  const [form, setForm] = useState({ address: "", uscc: "", legal_name_zh: "", legal_name_en: "", region: "", industry: "" });
  const [roles, setRoles] = useState<Role[]>(["supplier"]);
  const [firm, setFirm] = useState<FirmPublic | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setFirm(null);
    // The generated type is the API's: an optional field left empty is sent as absent, not "".
    const optional = (value: string) => value.trim() || undefined;
    const body: FirmCreate = {
      address: form.address.trim(), uscc: form.uscc.trim(), legal_name_zh: form.legal_name_zh.trim(), roles,
      legal_name_en: optional(form.legal_name_en), region: optional(form.region), industry: optional(form.industry),
    };
    try {
      setFirm(unwrap(await registerFirmFirmsPost({ body })));
    } catch (caught) {
      setError(caught);
    }
  }
  const field = (name: keyof typeof form, label: string) => (
    <label>{t(label)}<input name={name} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} /></label>
  );
  return (
    <Card title={t("registerFirm")} testId="register">
      <form className="form" onSubmit={submit}>
        {field("address", "address")}
        {field("uscc", "creditCode")}
        {field("legal_name_zh", "legalNameZh")}
        {field("legal_name_en", "legalNameEn")}
        {field("region", "region")}
        {field("industry", "industry")}
        <fieldset><legend>{t("roles")}</legend>
          {ROLES.map((role) => (
            <label key={role} className="inline"><input type="checkbox" checked={roles.includes(role)}
              onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))} />{t(role.toUpperCase())}</label>
          ))}
        </fieldset>
        <button type="submit">{t("register")}</button>
      </form>
      <ErrorLine error={error} />
      {firm && <p className="ok" data-testid="registered"><code>{firm.address}</code> <Status value={firm.status} /></p>}
    </Card>
  );
}

function Standing() {
  const { t } = useTranslation();
  const [address, setAddress] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function act(action: "suspend" | "reactivate") {
    setError(null);
    try {
      const call = action === "suspend" ? suspendFirmFirmsAddressSuspendPost : reactivateFirmFirmsAddressReactivatePost;
      unwrap(await call({ path: { address: address.trim() } }));
      setDone(action);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Card title={`${t("suspend")} / ${t("reactivate")}`} testId="standing">
      <div className="form">
        <label>{t("address")}<input name="standing_address" value={address} onChange={(e) => setAddress(e.target.value)} /></label>
        <button onClick={() => void act("suspend")}>{t("suspend")}</button>
        <button onClick={() => void act("reactivate")}>{t("reactivate")}</button>
      </div>
      <ErrorLine error={error} />
      {done && <p className="ok" data-testid="standing-done">{t(done)}: {t("submitted")}</p>}
    </Card>
  );
}

function Health() {
  const { t } = useTranslation();
  const [report, setReport] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    readyzReadyzGet().then((answer) => setReport((answer.data ?? answer.error) as Record<string, unknown>));
  }, []);
  return (
    <Card title={t("health")} testId="health">
      {report && <p data-testid="readiness">{report.ready ? t("ready") : t("notReady")}</p>}
      {report && <pre>{JSON.stringify(report, null, 1)}</pre>}
    </Card>
  );
}
