"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { UserMenu } from "@/components/auth/UserMenu";
import { HeldBadge } from "@/components/held/HeldIndicator";
import { ConnectionIndicator } from "@/components/live/ConnectionIndicator";

const LINKS = [
  { href: "/", label: "Live" },
  { href: "/history", label: "History" },
  { href: "/held", label: "Held" },
  { href: "/rules", label: "Rules" },
  { href: "/inject", label: "Inject" },
  { href: "/handlers", label: "Handlers" },
  { href: "/buses", label: "Buses" },
  { href: "/console", label: "Console" },
  { href: "/sessions", label: "Sessions" },
  { href: "/ipmi-users", label: "IPMI Users" },
  { href: "/audit", label: "Audit" },
] as const;

/** App title, page links, the held-request badge, the connection indicator and the signed-in user. */
export function TopNav() {
  const pathname = usePathname();
  return (
    <header className="topnav">
      <span className="brand">BMC Traffic Console</span>
      <nav aria-label="Main">
        {LINKS.map((link) => {
          const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
          return (
            <Link
              key={link.href}
              href={link.href}
              className={current ? "navlink active" : "navlink"}
              aria-current={current ? "page" : undefined}
              data-testid={`nav-${link.label.toLowerCase().replace(/\s+/g, "-")}`}
            >
              {link.label}
            </Link>
          );
        })}
      </nav>
      <HeldBadge />
      <span className="spacer" />
      <ConnectionIndicator />
      <UserMenu />
    </header>
  );
}
