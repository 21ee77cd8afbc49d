import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopNav } from "@/components/layout/TopNav";
import { LiveProvider } from "@/components/live/LiveProvider";
import "./globals.css";

// Every page talks to the live server; nothing here can be prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "BMC Traffic Console",
  description: "Watch and steer the IPMI traffic of a BMC",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <LiveProvider>
          <TopNav />
          <main className="main">{children}</main>
        </LiveProvider>
      </body>
    </html>
  );
}
