import type { ReactNode } from "react";
import { HeldBanner } from "@/components/held/HeldIndicator";
import { LogBanner } from "@/components/layout/LogBanner";
import { TopNav } from "@/components/layout/TopNav";
import { LiveProvider } from "@/components/live/LiveProvider";

/** The signed-in console: one live connection per tab, the nav, and the held-request strip. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <LiveProvider>
      <TopNav />
      <HeldBanner />
      <LogBanner />
      <main className="main">{children}</main>
    </LiveProvider>
  );
}
