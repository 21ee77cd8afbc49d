import type { Metadata } from "next";
import { IpmiUsersView } from "@/components/lan/IpmiUsersView";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "IPMI users · BMC Traffic Console" };

export default function IpmiUsersPage() {
  return <IpmiUsersView />;
}
