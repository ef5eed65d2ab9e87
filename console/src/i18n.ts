// The console's i18n: zh-CN by default, English one click away (the tables: i18n-tables.ts).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { resources } from "./i18n-tables";

export const LANGUAGES = { zh: "zh-CN", en: "en" } as const;

void i18n.use(initReactI18next).init({
  resources: resources(),
  lng: localStorage.getItem("scf.lang") ?? "zh-CN",
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});

export function setLanguage(lng: string): void {
  localStorage.setItem("scf.lang", lng);
  void i18n.changeLanguage(lng);
  document.documentElement.lang = lng;
}

export default i18n;
