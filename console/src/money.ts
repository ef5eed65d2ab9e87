// Money for people: minor units of an ISO 4217 currency (by its numeric code, as the ledger keeps
// it) formatted by Intl for the page's locale. Amounts of two currencies are never added here.

const ISO_NUMERIC: Record<number, string> = {
  156: "CNY", 344: "HKD", 392: "JPY", 410: "KRW", 446: "MOP", 458: "MYR", 702: "SGD", 764: "THB",
  784: "AED", 826: "GBP", 840: "USD", 901: "TWD", 978: "EUR", 36: "AUD", 124: "CAD", 756: "CHF",
};

export function currencyCode(numeric: number): string {
  return ISO_NUMERIC[numeric] ?? String(numeric);
}

function fractionDigits(code: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "¥1,235,567.00" in zh-CN, "CN¥1,235,567.00" in en; exact for any size of integer. */
export function formatMoney(minor: number | string | bigint, currency: number | string, locale: string): string {
  const code = typeof currency === "number" ? currencyCode(currency) : currency;
  const digits = fractionDigits(code);
  const value = BigInt(minor);
  const scale = 10n ** BigInt(digits);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / scale;
  const fraction = abs % scale;
  const decimal = `${negative ? "-" : ""}${whole}${digits ? "." + fraction.toString().padStart(digits, "0") : ""}`;
  try {
    // Intl takes the decimal string exactly (no float rounding) where it supports string input.
    return new Intl.NumberFormat(locale, { style: "currency", currency: code }).format(decimal as unknown as number);
  } catch {
    return `${code} ${decimal}`;
  }
}

/** Minor units as the API takes them in JSON: a number while exact, a string of digits beyond. */
export function amountJson(minor: bigint): number | string {
  return minor <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(minor) : minor.toString();
}

/** Minor units as a plain number of major units, for a chart's axis only (not exact). */
export function majorNumber(minor: bigint, currency: number | string): number {
  const code = typeof currency === "number" ? currencyCode(currency) : currency;
  return Number(minor) / 10 ** fractionDigits(code);
}

/** Yuan typed by a person ("1,234.5") as minor units; null when it is not an amount. */
export function parseMajor(text: string, currency: number | string = 156): bigint | null {
  const code = typeof currency === "number" ? currencyCode(currency) : currency;
  const digits = fractionDigits(code);
  const clean = text.replace(/[,\s，]/g, "");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(clean);
  if (!match || (match[2] ?? "").length > digits) return null;
  const minor = BigInt(match[1]) * 10n ** BigInt(digits) + BigInt((match[2] ?? "").padEnd(digits, "0") || "0");
  return minor > 0n ? minor : null;
}
