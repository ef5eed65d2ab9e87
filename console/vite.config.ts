import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Built into dist/, which the API serves at / (backend/console.py). Nothing is fetched at run
// time: every script, style and font comes from this build.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { "^/(auth|firms|trades|payments|receivables|consents|credit-decisions|evidence|documents|submissions|ledger|healthz|readyz)": "http://127.0.0.1:8000" } },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
