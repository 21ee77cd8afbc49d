"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { ConnectionIndicator } from "@/components/live/ConnectionIndicator";

const LINKS = [
  { href: "/", label: "Live" },
  { href: "/handlers", label: "Handlers" },
] as const;

/** App title, page links and the connection indicator. */
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
              data-testid={`nav-${link.label.toLowerCase()}`}
            >
              {link.label}
            </Link>
          );
        })}
      </nav>
      <span className="spacer" />
      <ConnectionIndicator />
    </header>
  );
}
