import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

// Every page talks to the live server; nothing here can be prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "BMC Traffic Console",
  description: "Watch and steer the IPMI traffic of a BMC",
};

/**
 * The document. The console's pages, (console)/, add the live connection and the nav;
 * the sign-in pages, (auth)/, open no socket.
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
