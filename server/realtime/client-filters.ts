/**
 * Each live client's filter (the `setFilter` event): which exchanges the gateway sends
 * it. A client without one gets every exchange.
 */
import type { SetFilterResult } from "../contract/events";
import type { Exchange } from "../contract/exchange";
import { type Filter, isBlankFilter, parseFilter } from "../traffic/filter";

export class ClientFilters {
  private readonly filters = new Map<string, Filter>();

  /** Sets the client's filter, or clears it for blank text; an invalid one leaves the old in place. */
  set(clientId: string, text: unknown): SetFilterResult {
    if (typeof text !== "string") return { ok: false, error: "the filter must be text", position: 0 };
    if (isBlankFilter(text)) {
      this.filters.delete(clientId);
      return { ok: true };
    }
    const parsed = parseFilter(text);
    if (!parsed.ok) return { ok: false, error: parsed.error, position: parsed.position };
    this.filters.set(clientId, parsed.filter);
    return { ok: true };
  }

  /** The client's filter text, if it has one. */
  textOf(clientId: string): string | undefined {
    return this.filters.get(clientId)?.text;
  }

  matches(clientId: string, x: Exchange): boolean {
    return this.filters.get(clientId)?.matches(x) ?? true;
  }

  delete(clientId: string): void {
    this.filters.delete(clientId);
  }
}
