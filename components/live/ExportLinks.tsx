import type { ExchangeStatus } from "@/server/contract/exchange";

interface ExportLinksProps {
  /** Server-side filters the export can apply as well (the text filter has no server equivalent). */
  status: ExchangeStatus | "";
  bus: string;
}

function exportHref(format: "csv" | "ndjson", status: string, bus: string): string {
  const params = new URLSearchParams({ format });
  if (bus !== "") params.set("bus", bus);
  if (status !== "") params.set("status", status);
  return `/api/exchanges/export?${params.toString()}`;
}

/** Download links for the exchange log. */
export function ExportLinks({ status, bus }: ExportLinksProps) {
  const scope = status !== "" || bus !== "" ? " (bus/status filters applied)" : "";
  return (
    <span className="exports">
      Export:
      <a
        className="btn"
        href={exportHref("csv", status, bus)}
        download
        data-testid="export-csv"
        title={`CSV${scope}`}
      >
        CSV
      </a>
      <a
        className="btn"
        href={exportHref("ndjson", status, bus)}
        download
        data-testid="export-ndjson"
        title={`NDJSON${scope}`}
      >
        NDJSON
      </a>
    </span>
  );
}
