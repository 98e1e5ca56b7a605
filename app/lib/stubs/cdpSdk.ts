/**
 * Stand-in for `@coinbase/cdp-sdk`. RainbowKit's index pulls wagmi's Base Account
 * connector, whose SDK imports the CDP server SDK for subscription payments, which in
 * turn imports optional `@x402/*` packages that are not installed. Synod never offers
 * Base Account, so the module is replaced at build time (next.config.ts) by this one,
 * which fails loudly if anything ever calls it.
 */
export class CdpClient {
  constructor() {
    throw new Error("@coinbase/cdp-sdk is not bundled in the Synod dApp");
  }
}
