/**
 * The host console over socket.io (namespace CONSOLE_NAMESPACE): what the server pushes to
 * a browser watching the host's serial line, and the few things a browser may ask. Bytes
 * travel as binary (socket.io sends a Uint8Array as a binary attachment, not as JSON).
 * Anyone signed in may watch; only operators may take the keyboard and type, and every
 * claim and keystroke is recorded (the audit trail and the console history's `source`).
 */

import { z } from "zod";

export const CONSOLE_NAMESPACE = "/console";

/** Who is on the console: a SOL session or a browser tab. */
export interface ConsolePartyDto {
  kind: "sol" | "browser";
  /** For people: "admin@10.0.0.5:51234", "alice". */
  label: string;
  /** True for this connection itself. */
  you: boolean;
}

export interface ConsoleStateDto {
  /** The host's side of the serial line: up (connected), waiting (listening for QEMU), down. */
  host: "up" | "waiting" | "down";
  /** For people: "QEMU guest serial, listening on 127.0.0.1:9004". */
  description: string;
  readers: ConsolePartyDto[];
  /** Who has the keyboard; null: nobody. */
  writer: ConsolePartyDto | null;
  /** This connection may take the keyboard (an operator). */
  canType: boolean;
}

export interface ConsoleServerToClient {
  /** First: the state; then `output` with the scrollback. */
  state: (state: ConsoleStateDto) => void;
  /** Bytes the host printed. The client acknowledges each, so a slow tab falls behind by dropping, not by piling up. */
  output: (bytes: Uint8Array, ack: () => void) => void;
  /** This many bytes were dropped because this tab did not keep up. */
  skipped: (count: number) => void;
}

export type ConsoleClaimResult = { ok: true } | { ok: false; error: string };

export interface ConsoleClientToServer {
  /** Take the keyboard (`takeOver`: even from whoever has it). Operators only. */
  claim: (options: { takeOver: boolean }, ack: (result: ConsoleClaimResult) => void) => void;
  release: () => void;
  /** Keystrokes for the host; refused unless this connection has the keyboard. */
  input: (text: string, ack: (result: ConsoleClaimResult) => void) => void;
}

// ---- the recorded console (REST) -------------------------------------------------

const epochMs = z.coerce.number().finite().min(0);

/** GET /api/console/history: newest first, keyset paging by id (`before`: the last page's `nextBefore`). */
export const consoleHistoryQuery = z
  .object({
    from: epochMs.optional(),
    to: epochMs.optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    direction: z.enum(["out", "in"]).optional(),
    /** A piece of the text, ASCII case-insensitive. */
    text: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ConsoleHistoryQueryDto = z.infer<typeof consoleHistoryQuery>;

export interface ConsoleChunkDto {
  id: number;
  receivedAt: number;
  /** out: the host printed it; in: typed to the host. */
  direction: "out" | "in";
  /** Who typed it: "sol:admin@127.0.0.1:50123", "browser:alice"; null for the host's output. */
  source: string | null;
  text: string;
}

export interface ConsoleHistoryPageDto {
  chunks: ConsoleChunkDto[];
  nextBefore: number | null;
}

/** GET /api/console/export: the host's output as text, or every chunk as NDJSON. */
export const consoleExportQuery = z
  .object({
    format: z.enum(["text", "ndjson"]).default("text"),
    from: epochMs.optional(),
    to: epochMs.optional(),
  })
  .strict();
export type ConsoleExportQueryDto = z.infer<typeof consoleExportQuery>;
