import type { Metadata } from "next";
import { ConsoleView } from "@/components/console/ConsoleView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Console · BMC Traffic Console" };

export default function ConsolePage() {
  return <ConsoleView />;
}
