"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { UserMenu } from "@/components/auth/UserMenu";
import { NodePicker } from "@/components/fleet/NodePicker";
import { hrefWithChoice } from "@/components/fleet/nodeChoice";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
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

/** Shown only while the fleet is on. */
const NODES_LINK = { href: "/nodes", label: "Nodes" } as const;

/**
 * App title, page links, the held-request badge, the connection indicator and the signed-in
 * user; with the fleet on, the node picker, and links that keep the node choice.
 */
export function TopNav() {
  const pathname = usePathname();
  const { fleet, choice, setChoice } = useNodeChoice();
  const links = fleet === null ? LINKS : [...LINKS, NODES_LINK];
  return (
    <header className="topnav">
      <span className="brand">BMC Traffic Console</span>
      <nav aria-label="Main">
        {links.map((link) => {
          const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
          return (
            <Link
              key={link.href}
              href={hrefWithChoice(link.href, choice)}
              className={current ? "navlink active" : "navlink"}
              aria-current={current ? "page" : undefined}
              data-testid={`nav-${link.label.toLowerCase().replace(/\s+/g, "-")}`}
            >
              {link.label}
            </Link>
          );
        })}
      </nav>
      {fleet !== null && <NodePicker fleet={fleet} choice={choice} onChange={setChoice} />}
      <HeldBadge />
      <span className="spacer" />
      <ConnectionIndicator />
      <UserMenu />
    </header>
  );
}
