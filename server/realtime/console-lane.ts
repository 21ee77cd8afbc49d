/**
 * Which live clients asked for the Live page's console lane (the `setConsoleLane` event):
 * only those are sent the host console's chunks. A client that never asked gets none, so
 * the other pages' connections carry no console traffic.
 */
import { type ConsoleLaneResult, consoleLaneOptions } from "../contract/events";

export class ConsoleLanes {
  private readonly on = new Set<string>();

  /** Turns the client's lane on or off; a payload that is not `{ on: boolean }` is refused and changes nothing. */
  set(clientId: string, payload: unknown): ConsoleLaneResult {
    const parsed = consoleLaneOptions.safeParse(payload);
    if (!parsed.success) {
      return {
        ok: false,
        error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      };
    }
    if (parsed.data.on) this.on.add(clientId);
    else this.on.delete(clientId);
    return { ok: true };
  }

  has(clientId: string): boolean {
    return this.on.has(clientId);
  }

  get size(): number {
    return this.on.size;
  }

  delete(clientId: string): void {
    this.on.delete(clientId);
  }
}
