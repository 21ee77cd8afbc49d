/**
 * Run-time handler switches (enabled/disabled) that survive a restart. The router
 * reads them once at start and writes one whenever someone flips a handler.
 */
import { writeWithRetry } from "./busy-retry";
import type { Database } from "./database";

/** Every stored switch, by handler id. Handlers without a row keep their default. */
export async function loadHandlerStates(db: Database): Promise<Map<string, boolean>> {
  const rows = await db.handlerState.findMany({ select: { id: true, enabled: true } });
  return new Map(rows.map((r) => [r.id, r.enabled]));
}

/** Stores a handler's switch, replacing whatever was stored for it. */
export async function saveHandlerState(db: Database, id: string, enabled: boolean): Promise<void> {
  await writeWithRetry(db, () =>
    db.handlerState.upsert({
      where: { id },
      create: { id, enabled },
      update: { enabled },
      select: { id: true },
    }),
  );
}
