import type { Metadata } from "next";
import { NodesView } from "@/components/fleet/NodesView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Nodes · BMC Traffic Console" };

export default function NodesPage() {
  return <NodesView />;
}
