import type { Metadata } from "next";
import { HistoryView } from "@/components/history/HistoryView";
import { readHistoryUrl, searchParamsOf } from "@/components/history/historyState";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "History · BMC Traffic Console" };

/** The History page; its filter, highlight and page size come from the URL, so a link shares the view. */
export default async function HistoryPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  return <HistoryView initial={readHistoryUrl(searchParamsOf(await searchParams))} />;
}
