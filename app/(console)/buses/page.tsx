import type { Metadata } from "next";
import { BusesView } from "@/components/buses/BusesView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Buses · BMC Traffic Console" };

export default function BusesPage() {
  return <BusesView />;
}
