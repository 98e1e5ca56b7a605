import path from "node:path";
import type { NextConfig } from "next";

/** The repository root: the dApp imports the generated ABIs from `coordinator/chain/`. */
const root = path.resolve(import.meta.dirname, "..");

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // `npm test` and `npm run app:typecheck` type-check the app with app/tsconfig.json;
  // not repeating it inside `next build` halves the build time on two cores.
  typescript: { ignoreBuildErrors: true },
  turbopack: {
    root,
    // See lib/stubs/cdpSdk.ts: an unused payments SDK whose optional dependencies are absent.
    resolveAlias: { "@coinbase/cdp-sdk": "./lib/stubs/cdpSdk.ts" },
  },
  outputFileTracingRoot: root,
  // Wallet SDKs pull optional React Native and pretty-printing modules that a browser never needs.
  serverExternalPackages: ["pino", "pino-pretty"],
};

export default nextConfig;
