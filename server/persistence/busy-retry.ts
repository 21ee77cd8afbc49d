/**
 * Retrying a write that found the database locked by another connection (SQLITE_BUSY):
 * with a short busy timeout the statement fails fast instead of holding the router's
 * thread, and is tried again after a growing pause, in order, until the lock goes.
 */

/**
 * SQLITE_BUSY or SQLITE_LOCKED, however the driver and Prisma wrap it (Prisma: P1008 with
 * the adapter's error in `meta.driverAdapterError`, its SQLite code in `cause.originalCode`).
 */
export function isBusyError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 10) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as {
      code?: unknown;
      originalCode?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: unknown;
    };
    for (const code of [o.code, o.originalCode]) {
      if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code === "SQLITE_BUSY_SNAPSHOT") return true;
    }
    if (typeof o.message === "string" && /database is locked|database table is locked/i.test(o.message))
      return true;
    queue.push(o.cause, (o.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return false;
}

export interface BusyRetryOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each pause: the attempt that failed (1-based) and the error. */
  onBusy?: (attempt: number, err: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `op` until it succeeds or fails for a reason other than a lock; a lock is waited out. */
export async function retryWhileBusy<T>(op: () => Promise<T>, options: BusyRetryOptions = {}): Promise<T> {
  const first = options.firstDelayMs ?? 50;
  const max = options.maxDelayMs ?? 2000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      options.onBusy?.(attempt, err);
      await sleep(Math.min(max, first * 2 ** (attempt - 1)));
    }
  }
}

/** Each database's newest queued write: the next one starts after it settles. */
const writeQueues = new WeakMap<object, Promise<unknown>>();

export interface WriteRetryOptions extends BusyRetryOptions {
  /** With `log`: named in the warning a write that meets the lock gives, e.g. "audit entry". */
  what?: string;
  log?: { warn(message: string): void };
}

/**
 * A write on the router's thread, whose connection waits only MAIN_THREAD_BUSY_TIMEOUT_MS for
 * another connection's lock: retried until the lock goes (retryWhileBusy), and queued behind
 * the earlier writes made through here on the same `db`, so that they land in the order they
 * were made even while a lock is waited out (independent retries would each pick their own
 * moment and overtake one another). Reads need none of this: in WAL mode a writer's lock
 * does not block them.
 *
 * `op` must do the whole write (a `$transaction` included) and may run more than once: build
 * what it sends inside it, and do slow work (password hashing) before. It must not itself
 * call writeWithRetry on the same `db`: it would wait for itself.
 */
export function writeWithRetry<T>(
  db: object,
  op: () => Promise<T>,
  options: WriteRetryOptions = {},
): Promise<T> {
  const { what, log, onBusy, ...retry } = options;
  const previous = writeQueues.get(db) ?? Promise.resolve();
  const write = previous.then(() =>
    retryWhileBusy(op, {
      ...retry,
      onBusy: (attempt, err) => {
        if (attempt === 1 && log)
          log.warn(`${what ?? "write"}: the database is locked by another connection; retrying`);
        onBusy?.(attempt, err);
      },
    }),
  );
  // A write that failed for good is its caller's to handle; the ones behind it still run.
  writeQueues.set(
    db,
    write.catch(() => {}),
  );
  return write;
}
