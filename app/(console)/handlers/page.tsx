import type { Metadata } from "next";
import { HandlersView } from "@/components/handlers/HandlersView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Handlers · BMC Traffic Console" };

export default function HandlersPage() {
  return <HandlersView />;
}
