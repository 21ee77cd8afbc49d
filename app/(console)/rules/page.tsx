import type { Metadata } from "next";
import { RulesView } from "@/components/rules/RulesView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Rules · BMC Traffic Console" };

export default function RulesPage() {
  return <RulesView />;
}
