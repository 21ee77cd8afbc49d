import type { ExchangeStatus } from "@/server/contract/exchange";

interface ExportLinksProps {
  /** Server-side filters the export can apply as well (the text filter has no server equivalent). */
  status: ExchangeStatus | "";
  bus: string;
  /** The filter-language expression of the view (valid, or ""): the export holds exactly what matches. */
  filter?: string;
  /** The console's node choice (another node's name, or "all"): that log, from the fleet's store. */
  node?: string | null;
}

type Format = "csv" | "ndjson" | "pcap" | "pcap-wire";

function exportHref(
  format: Format,
  status: string,
  bus: string,
  filter: string,
  node: string | null,
): string {
  const params = new URLSearchParams({ format });
  if (node !== null) params.set("node", node);
  if (filter.trim() !== "") params.set("filter", filter);
  if (bus !== "") params.set("bus", bus);
  if (status !== "") params.set("status", status);
  return `/api/exchanges/export?${params.toString()}`;
}

/** Download links for the exchange log. */
export function ExportLinks({ status, bus, filter = "", node = null }: ExportLinksProps) {
  const scope = status !== "" || bus !== "" || filter.trim() !== "" ? " (the view's filters applied)" : "";
  return (
    <span className="exports">
      Export:
      <a
        className="btn"
        href={exportHref("csv", status, bus, filter, node)}
        download
        data-testid="export-csv"
        title={`CSV${scope}`}
      >
        CSV
      </a>
      <a
        className="btn"
        href={exportHref("ndjson", status, bus, filter, node)}
        download
        data-testid="export-ndjson"
        title={`NDJSON${scope}`}
      >
        NDJSON
      </a>
      <a
        className="btn"
        href={exportHref("pcap", status, bus, filter, node)}
        download
        data-testid="export-pcap"
        title={`pcap for Wireshark/tshark, every IPMI message (needs ipmi.dissect_bus_commands)${scope}`}
      >
        pcap
      </a>
      <a
        className="btn"
        href={exportHref("pcap-wire", status, bus, filter, node)}
        download
        data-testid="export-pcap-wire"
        title={`pcap of the LAN datagrams as on the wire (RMCP, sessions, RAKP)${scope}`}
      >
        pcap (LAN wire)
      </a>
    </span>
  );
}
