"use client";

import { useState } from "react";
import { messageOf, requestJson } from "@/components/api";
import { formatIso } from "@/components/format";
import type { ConsoleHistoryPageDto } from "@/server/contract/console";

/** Shown text of a chunk: control characters as the terminal would not, so a match is readable. */
function printable(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "⏎ ").replace(/\p{Cc}/gu, "·");
}

/**
 * What the host printed (and who typed what) while nobody watched: a text search over the
 * recorded console (GET /api/console/history, newest first), and the export as text or NDJSON.
 */
export function ConsoleHistory() {
  const [text, setText] = useState("");
  const [page, setPage] = useState<ConsoleHistoryPageDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    setError(null);
    const q = new URLSearchParams({ limit: "100" });
    if (text.trim() !== "") q.set("text", text.trim());
    try {
      setPage(await requestJson<ConsoleHistoryPageDto>(`/api/console/history?${q.toString()}`));
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section className="console-history" data-testid="console-history">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <h2 className="section-title">History</h2>
        <input
          className="input"
          type="search"
          placeholder="text the host printed or someone typed"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
          data-testid="console-history-text"
          aria-label="Search the console history"
        />
        <button type="submit" className="btn" data-testid="console-history-search">
          Search
        </button>
        <a className="btn" href="/api/console/export?format=text" download data-testid="console-export-text">
          Export text
        </a>
        <a
          className="btn"
          href="/api/console/export?format=ndjson"
          download
          data-testid="console-export-ndjson"
        >
          NDJSON
        </a>
        {error && (
          <span className="error-text" role="alert">
            {error}
          </span>
        )}
      </form>
      {page !== null &&
        (page.chunks.length === 0 ? (
          <p className="muted pad" data-testid="console-history-empty">
            Nothing recorded matches.
          </p>
        ) : (
          <table className="htable">
            <tbody>
              {page.chunks.map((c) => (
                <tr key={c.id} data-testid="console-history-row" data-direction={c.direction}>
                  <td className="mono">{formatIso(c.receivedAt)}</td>
                  <td>{c.direction === "out" ? "host" : (c.source ?? "typed")}</td>
                  <td className="mono">{printable(c.text)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
