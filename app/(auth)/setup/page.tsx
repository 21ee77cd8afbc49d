import type { Metadata } from "next";
import { SetupForm } from "@/components/auth/SetupForm";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "First run · BMC Traffic Console" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SetupPage({ searchParams }: { searchParams: SearchParams }) {
  const { next } = await searchParams;
  return <SetupForm next={Array.isArray(next) ? next[0] : next} />;
}
