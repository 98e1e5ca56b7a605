import "@rainbow-me/rainbowkit/styles.css";
import "uplot/dist/uPlot.min.css";
import "./globals.css";
import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Header } from "../components/Header.tsx";
import { NetworkBanner } from "../components/NetworkBanner.tsx";
import { Providers } from "../components/Providers.tsx";
import { runtimeConfig } from "../synod.config.ts";

export const metadata: Metadata = {
  title: "Synod",
  description: "Vote on what the mesh learned; browse knowledge verified against its CID.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request: URLs come from the server's environment, not from the build.
  await connection();
  const config = runtimeConfig(process.env);
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers config={config}>
          <Header />
          <NetworkBanner />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
