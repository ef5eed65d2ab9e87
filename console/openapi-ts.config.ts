import { defineConfig } from "@hey-api/openapi-ts";

// The client is generated from the app's own schema (`scf openapi > openapi.json`, by make), so
// a changed endpoint breaks the console's type check instead of its users.
export default defineConfig({
  input: "openapi.json",
  output: { path: "src/client" },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
});
