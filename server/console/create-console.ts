/**
 * The host console as the runtime runs it: one ConsoleStream (always there, so the
 * Console page can say "no serial line" instead of failing), the transport HOST_SERIAL
 * names when it is set, every byte both ways recorded in the database (ConsoleLogWriter),
 * and the history pruned by RETENTION_DAYS. RETENTION_ROWS counts exchanges and does not
 * apply here: console rows are up to 4 KiB chunks, a different unit.
 */
import type { Database } from "../persistence/database";
import { ConsoleLogWriter } from "./console-log-writer";
import { ConsoleStream } from "./console-stream";
import type { HostSerialSpec } from "./parse-host-serial";
import { QemuSerialTransport } from "./qemu-serial";
import { ConsoleRetention } from "./retention";
import { connectConsole, type SerialLog, type SerialTransport } from "./transport";
import { TtySerialTransport } from "./tty-serial";

export interface HostConsole {
  readonly stream: ConsoleStream;
  readonly transport: SerialTransport | undefined;
  readonly writer: ConsoleLogWriter;
  /** For people: the transport's own description, or why there is none. */
  description(): string;
  start(): Promise<void>;
  /** Closes the line, then stores every byte still buffered. */
  stop(): Promise<void>;
}

export function createHostConsole(
  db: Database,
  spec: HostSerialSpec | undefined,
  options: { log?: SerialLog & { error(msg: string): void }; retentionDays?: number } = {},
): HostConsole {
  const stream = new ConsoleStream({
    onListenerError: (err) => options.log?.warn(`console listener: ${String(err)}`),
  });
  const log = options.log;
  const transport: SerialTransport | undefined =
    spec === undefined
      ? undefined
      : spec.kind === "qemu"
        ? new QemuSerialTransport({ host: spec.host, port: spec.port, ...(log ? { log } : {}) })
        : new TtySerialTransport({ path: spec.path, baud: spec.baud, ...(log ? { log } : {}) });
  const writer = new ConsoleLogWriter(db, {
    onError: (err) =>
      log?.error(`console history: ${err instanceof Error ? err.message : String(err)} (will retry)`),
  });
  const stopRecording = writer.record(stream);
  const unwire = transport ? connectConsole(stream, transport) : () => {};
  const retention = new ConsoleRetention(db, {
    days: options.retentionDays ?? null,
    onError: (err) => log?.error(`console retention: ${String(err)}`),
  });
  return {
    stream,
    transport,
    writer,
    description: () => transport?.description ?? "no host serial line (set HOST_SERIAL, docs/real-bmc.md)",
    async start() {
      retention.start();
      await transport?.open();
    },
    async stop() {
      await transport?.close();
      unwire();
      stopRecording();
      await retention.stop();
      await writer.close();
    },
  };
}
