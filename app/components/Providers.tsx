"use client";

import { RainbowKitProvider, lightTheme } from "@rainbow-me/rainbowkit";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { WagmiProvider } from "wagmi";
import { createWagmiConfig } from "../lib/wagmiConfig.ts";
import type { RuntimeConfig } from "../synod.config.ts";
import { SynodConfigContext } from "./SynodConfigContext.tsx";

/** wagmi, React Query and RainbowKit, configured from the server's run-time config. */
export function Providers({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  const [wagmiConfig] = useState(() => createWagmiConfig(config));
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } } }),
  );
  return (
    <SynodConfigContext.Provider value={config}>
      <WagmiProvider config={wagmiConfig}>
        <QueryClientProvider client={queryClient}>
          <RainbowKitProvider theme={lightTheme({ accentColor: "#2f5d50" })} initialChain={config.targetChainId}>
            {children}
          </RainbowKitProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </SynodConfigContext.Provider>
  );
}
