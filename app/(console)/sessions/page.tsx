import type { Metadata } from "next";
import { SessionsView } from "@/components/lan/SessionsView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "LAN sessions · BMC Traffic Console" };

export default function SessionsPage() {
  return <SessionsView />;
}
