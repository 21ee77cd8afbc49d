/**
 * Notices the database file deleted or replaced under the running server. On Linux the
 * open connections keep working on the unlinked inode, so every write still succeeds
 * and nothing fails: without this check the loss shows only at the next restart, when
 * the exchanges and BMC state written since are gone.
 */
import { statSync } from "node:fs";

/** The file's identity, or null when it is not there. */
function identity(file: string): string | null {
  try {
    const s = statSync(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * Checks every `intervalMs` that `file` is still the file it was at the start and calls
 * `onChange` with the reason when it stops being so, and with null should it come back
 * (renamed back, say). Returns the function that stops the checks.
 */
export function watchDatabaseFile(
  file: string,
  onChange: (reason: string | null) => void,
  intervalMs = 1000,
): () => void {
  const original = identity(file);
  // Nothing to compare with (an in-memory or not yet created database): nothing to watch.
  if (original === null) return () => {};
  let reported: string | null = null;
  const timer = setInterval(() => {
    const now = identity(file);
    const reason =
      now === original
        ? null
        : now === null
          ? `the database file ${file} was deleted while the server runs: what is written from now on is lost at the next restart; restart the server to recreate it (npm start migrates it)`
          : `the database file ${file} was replaced while the server runs: this server still writes to the old file, lost at the next restart; restart the server to use the new file`;
    if (reason === reported) return;
    reported = reason;
    onChange(reason);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
