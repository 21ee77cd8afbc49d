import type { Metadata } from "next";
import { HeldView } from "@/components/held/HeldView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Held requests · BMC Traffic Console" };

export default function HeldPage() {
  return <HeldView />;
}
