"use client";

import { ConnectButton } from "@rainbow-me/rainbowkit";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Proposals" },
  { href: "/delegate", label: "Delegate" },
  { href: "/knowledge", label: "Knowledge" },
  { href: "/mesh", label: "Mesh" },
] as const;

/** Site header: navigation and the wallet button. */
export function Header() {
  const pathname = usePathname();
  const isCurrent = (href: string) => (href === "/" ? pathname === "/" || pathname.startsWith("/proposals") : pathname.startsWith(href));
  return (
    <header className="site">
      <Link href="/" className="brand">
        Synod
      </Link>
      <nav aria-label="Main">
        <ul>
          {LINKS.map((link) => (
            <li key={link.href}>
              <Link href={link.href} aria-current={isCurrent(link.href) ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="wallet">
        <ConnectButton showBalance={false} chainStatus="name" accountStatus="address" />
      </div>
    </header>
  );
}
