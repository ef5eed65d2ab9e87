// The console signs exactly what the Python SDK signs: digests and signatures of every ledger
// type, compared with vectors made by backend/sdk (scripts/typed_data_vectors.py, run by make).
import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { financeMessage, invoiceKey, LEDGER_TYPES, markDefaultMessage, reasonBytes32, settleMessage, splitMessage, typedDataHash, typesFor, type PrimaryType } from "./ledger";
import { formatMoney, parseMajor } from "./money";
import { translations } from "./i18n-tables";
import vectors from "./vectors.json";

describe("typed data", () => {
  it("covers every type the SDK has", () => {
    const sdkTypes = new Set(vectors.vectors.map((v) => v.typed_data.primaryType));
    expect(new Set(Object.keys(LEDGER_TYPES))).toEqual(sdkTypes);
  });

  for (const vector of vectors.vectors) {
    const typed = vector.typed_data;
    it(`hashes and signs ${typed.primaryType} as the SDK does`, async () => {
      const primary = typed.primaryType as PrimaryType;
      expect(LEDGER_TYPES[primary]).toEqual((typed.types as Record<string, unknown>)[primary]);
      expect(typedDataHash(typed.domain, primary, typed.message)).toBe(vector.digest);
      const wallet = new Wallet(vectors.key);
      expect(await wallet.signTypedData(typed.domain, typesFor(primary), typed.message)).toBe(vector.signature);
    });
  }

  it("computes invoice keys as the SDK does", () => {
    for (const item of vectors.invoice_keys) expect(invoiceKey(item.uscc, item.number)).toBe(item.key);
  });

  it("builds the Split message the SDK signs", async () => {
    const split = vectors.vectors.find((v) => v.typed_data.primaryType === "Split")!;
    const m = split.typed_data.message as { receivableId: string; to: string[]; amounts: (number | string)[]; nonce: number | string };
    const message = splitMessage(m.receivableId, m.to, m.amounts.map((a) => BigInt(a)), BigInt(m.nonce));
    expect(typedDataHash(split.typed_data.domain, "Split", message)).toBe(split.digest);
  });

  it("builds the Settle messages the SDK signs, the payment reference as padded text", () => {
    const settles = vectors.vectors.filter((v) => v.typed_data.primaryType === "Settle");
    expect(settles.length).toBe(2);
    for (const settle of settles) {
      const m = settle.typed_data.message as { receivableId: string; amount: number | string; paidAt: number; payRef: string };
      const message = settleMessage(m.receivableId, BigInt(m.amount), m.paidAt, m.payRef);
      expect(typedDataHash(settle.typed_data.domain, "Settle", message)).toBe(settle.digest);
    }
    expect(reasonBytes32("中行转账 BOC-0001")).toBe(settles[1].typed_data.message.payRef);
  });

  it("builds the MarkDefault message the SDK signs", () => {
    const mark = vectors.vectors.find((v) => v.typed_data.primaryType === "MarkDefault")!;
    const m = mark.typed_data.message as { receivableId: string; nonce: number | string };
    expect(typedDataHash(mark.typed_data.domain, "MarkDefault", markDefaultMessage(m.receivableId, BigInt(m.nonce)))).toBe(mark.digest);
  });

  it("builds the Finance message the SDK signs", () => {
    const finance = vectors.vectors.find((v) => v.typed_data.primaryType === "Finance")!;
    const m = finance.typed_data.message as {
      receivableId: string; bank: string; advance: number | string; rateBps: number; deadline: number; nonce: number | string;
    };
    const message = financeMessage(m.receivableId, m.bank, BigInt(m.advance), m.rateBps, m.deadline, BigInt(m.nonce));
    expect(typedDataHash(finance.typed_data.domain, "Finance", message)).toBe(finance.digest);
  });

  it("pads a rejection reason to 32 bytes of UTF-8", () => {
    const reject = vectors.vectors.find((v) => v.typed_data.primaryType === "Reject")!;
    expect(reasonBytes32("价格不符")).toBe(reject.typed_data.message.reason);
  });
});

describe("money", () => {
  it("formats minor units by locale and currency, exactly", () => {
    expect(formatMoney(123556700, 156, "zh-CN")).toBe("¥1,235,567.00");
    expect(formatMoney(100000, 840, "en")).toBe("$1,000.00");
    expect(formatMoney("123456789012345678", 156, "en")).toBe("CN¥1,234,567,890,123,456.78");
    expect(formatMoney(5, 392, "en")).toBe("¥5");
  });

  it("reads yuan typed by a person", () => {
    expect(parseMajor("1,234.5")).toBe(123450n);
    expect(parseMajor("0")).toBeNull();
    expect(parseMajor("1.234")).toBeNull();
    expect(parseMajor("abc")).toBeNull();
  });
});

describe("translations", () => {
  it("has every key in both languages", () => {
    for (const table of Object.values(translations)) {
      expect(Object.keys(table.zh).sort()).toEqual(Object.keys(table.en).sort());
    }
  });
});
