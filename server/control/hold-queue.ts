/**
 * Requests held for a person (mitmweb's intercept, for IPMI). Each waits until an
 * operator answers, passes or drops it, or its deadline passes (the BT host gives up
 * after about 5 s), when it falls back to the handler or to C3h. The router's held
 * handle settles at most once, so two operators acting at once get one success and
 * one "already answered".
 */
import type { HeldRequestDto, HoldResolution } from "../contract/control";
import type { Exchange } from "../contract/exchange";
import { toHex } from "../ipmi/hex";
import type { HeldExchange } from "../router/intercept";

export interface HoldQueueOptions {
  /** How long a request may be held on this bus. */
  deadlineMs(busId: string): number;
  onExpiry: "handler" | "timeout";
  /** How long to wait for the handler's suggested answer before showing the hold without it. */
  previewWaitMs?: number;
  now?: () => number;
}

export type HoldEvent =
  | { type: "held"; held: HeldRequestDto }
  | { type: "hold-resolved"; id: number; resolution: HoldResolution; by: string | null };

export type HoldActionResult =
  | { ok: true; exchange: Exchange }
  | { ok: false; reason: "unknown" | "already" };

interface Entry {
  handle: HeldExchange;
  dto: HeldRequestDto;
  timer: ReturnType<typeof setTimeout>;
  /** Shown to operators once its suggested answer is known. */
  announced: boolean;
}

export class HoldQueue {
  private readonly entries = new Map<number, Entry>();
  /** Ids settled recently, so a late second action says "already answered", not "unknown". */
  private readonly settledIds = new Set<number>();
  private readonly listeners = new Set<(e: HoldEvent) => void>();
  private readonly now: () => number;

  constructor(private readonly options: HoldQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Called by the rules when a request is held. */
  async add(handle: HeldExchange, ruleId: number): Promise<void> {
    const c = handle.context;
    const heldAt = this.now();
    const dto: HeldRequestDto = {
      id: c.id,
      busId: c.busId,
      seq: c.seq,
      netFn: c.netFn,
      lun: c.lun,
      cmd: c.cmd,
      request: toHex(c.data),
      ruleId,
      heldAt,
      deadline: heldAt + this.options.deadlineMs(c.busId),
      onExpiry: this.options.onExpiry,
      suggested: null,
      suggestedNote: null,
    };
    const timer = setTimeout(() => this.expire(c.id), dto.deadline - heldAt);
    const entry: Entry = { handle, dto, timer, announced: false };
    this.entries.set(c.id, entry);

    const wait = this.options.previewWaitMs ?? 200;
    const preview = await Promise.race([
      handle.preview(),
      new Promise<{ skipped: string }>((r) =>
        setTimeout(() => r({ skipped: "handler too slow to suggest" }), wait),
      ),
    ]);
    if ("skipped" in preview) dto.suggestedNote = preview.skipped;
    else dto.suggested = { cc: preview.cc, data: toHex(preview.data), handlerId: preview.handlerId };
    // Only announce it if nobody settled it while the suggestion was computed.
    if (this.entries.get(c.id) === entry) {
      entry.announced = true;
      this.emit({ type: "held", held: dto });
    }
  }

  list(): HeldRequestDto[] {
    return [...this.entries.values()]
      .filter((e) => e.announced)
      .map((e) => e.dto)
      .sort((a, b) => a.heldAt - b.heldAt);
  }

  answer(id: number, cc: number, data: Uint8Array, actor: string): Promise<HoldActionResult> {
    return this.act(id, "answered", actor, (h) =>
      h.answer(cc, data, `answered by ${actor} (held by rule #${this.entries.get(id)?.dto.ruleId})`),
    );
  }

  pass(id: number, actor: string): Promise<HoldActionResult> {
    return this.act(id, "passed", actor, (h) => h.pass(`passed to the handler by ${actor}`));
  }

  drop(id: number, actor: string): Promise<HoldActionResult> {
    return this.act(id, "dropped", actor, (h) => h.drop(`dropped by ${actor}`));
  }

  async passAll(actor: string): Promise<number> {
    let passed = 0;
    for (const id of [...this.entries.keys()]) if ((await this.pass(id, actor)).ok) passed++;
    return passed;
  }

  onEvent(listener: (e: HoldEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles everything still held (server stopping): by the expiry rule, so nothing is lost. */
  close(): void {
    for (const id of [...this.entries.keys()]) this.expire(id);
  }

  private async act(
    id: number,
    resolution: HoldResolution,
    actor: string | null,
    settle: (h: HeldExchange) => boolean,
  ): Promise<HoldActionResult> {
    const entry = this.entries.get(id);
    if (!entry) return { ok: false, reason: this.settledIds.has(id) ? "already" : "unknown" };
    if (!settle(entry.handle)) {
      this.forget(id, entry);
      return { ok: false, reason: "already" };
    }
    this.forget(id, entry);
    this.emit({ type: "hold-resolved", id, resolution, by: actor });
    return { ok: true, exchange: await entry.handle.recorded };
  }

  private expire(id: number): void {
    const fallback = this.options.onExpiry;
    void this.act(id, "expired", null, (h) =>
      fallback === "handler"
        ? h.pass("hold expired; passed to the handler")
        : h.timeout("hold expired; answered C3h"),
    );
  }

  private forget(id: number, entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(id);
    this.settledIds.add(id);
    if (this.settledIds.size > 10_000) this.settledIds.delete(this.settledIds.values().next().value!);
  }

  private emit(e: HoldEvent): void {
    for (const l of this.listeners) l(e);
  }
}
