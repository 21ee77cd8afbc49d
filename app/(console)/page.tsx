import { LiveView } from "@/components/live/LiveView";

export const dynamic = "force-dynamic";

export default function LivePage() {
  return <LiveView />;
}
