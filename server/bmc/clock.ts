/**
 * The BMC's time: what it reads (`now`) and what it schedules (`at`). The watchdog puts
 * its next deadline on it; everything else computes from `now()` when asked.
 *
 * The running server uses `realClock()`: Date.now and unref'd timers, so a scheduled
 * deadline never keeps the process alive. Tests use `manualClock()` (test-harness.ts),
 * which runs due callbacks, in deadline order, when the test moves it.
 */
export interface BmcClock {
  /** Milliseconds since 1970. */
  now(): number;
  /** Runs `fn` once at clock time `ms` (soon, when that has passed); the returned function cancels it. */
  at(ms: number, fn: () => void): () => void;
}

/** setTimeout's longest delay (2^31 - 1 ms); a later deadline is reached in steps. */
const MAX_TIMEOUT_MS = 0x7fffffff;

export function realClock(): BmcClock {
  const now = () => Date.now();
  return {
    now,
    at(ms, fn) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        const delay = Math.max(0, ms - now());
        timer = setTimeout(
          () => {
            timer = undefined;
            if (delay > MAX_TIMEOUT_MS) arm();
            else fn();
          },
          Math.min(delay, MAX_TIMEOUT_MS),
        );
        timer.unref?.();
      };
      arm();
      return () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
      };
    },
  };
}
