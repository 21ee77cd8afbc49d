import type { Metadata } from "next";
import { InjectView } from "@/components/inject/InjectView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Inject · BMC Traffic Console" };

export default function InjectPage() {
  return <InjectView />;
}
