/**
 * Operator response rules: an ordered list, first enabled match wins. Matching is
 * pure and in memory (it runs for every request); the list is persisted through
 * Prisma on every change, hit counters in the background.
 */
import type { NewRuleBody, PatchRuleBody, RuleAction, RuleDto } from "../contract/control";
import { toHex } from "../ipmi/hex";
import { writeWithRetry } from "../persistence/busy-retry";
import type { Database } from "../persistence/database";
import type { InterceptContext } from "../router/intercept";

export interface RuleMatch {
  busId: string | null;
  netFn: number | null;
  cmd: number | null;
  dataPrefix: Uint8Array | null;
  dataMask: Uint8Array | null;
}

export interface Rule {
  id: number;
  position: number;
  name: string;
  enabled: boolean;
  match: RuleMatch;
  action: RuleAction;
  hits: number;
}

/** Does the rule's match accept this request? (pure) */
export function ruleMatches(
  match: RuleMatch,
  req: Pick<InterceptContext, "busId" | "netFn" | "cmd" | "data">,
): boolean {
  if (match.busId !== null && match.busId !== req.busId) return false;
  if (match.netFn !== null && match.netFn !== req.netFn) return false;
  if (match.cmd !== null && match.cmd !== req.cmd) return false;
  const prefix = match.dataPrefix;
  if (prefix) {
    if (req.data.length < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) {
      const mask = match.dataMask?.[i] ?? 0xff;
      if ((req.data[i]! & mask) !== (prefix[i]! & mask)) return false;
    }
  }
  return true;
}

export function ruleToDto(rule: Rule): RuleDto {
  const { match, action } = rule;
  return {
    id: rule.id,
    position: rule.position,
    name: rule.name,
    enabled: rule.enabled,
    match: {
      busId: match.busId,
      netFn: match.netFn,
      cmd: match.cmd,
      dataPrefix: match.dataPrefix && toHex(match.dataPrefix),
      dataMask: match.dataMask && toHex(match.dataMask),
    },
    action: action.type === "answer" ? { type: "answer", cc: action.cc, data: toHex(action.data) } : action,
    hits: rule.hits,
  };
}

type RuleRow = Awaited<ReturnType<Database["rule"]["findMany"]>>[number];

function rowToRule(row: RuleRow): Rule {
  const bytes = (b: Uint8Array | null) => (b === null ? null : Uint8Array.from(b));
  let action: RuleAction;
  switch (row.action) {
    case "answer":
      action = { type: "answer", cc: row.cc ?? 0, data: bytes(row.data) ?? new Uint8Array() };
      break;
    case "error":
      action = { type: "error", cc: row.cc ?? 0xff };
      break;
    case "delay":
      action = { type: "delay", ms: row.delayMs ?? 0 };
      break;
    case "drop":
      action = { type: "drop" };
      break;
    default:
      action = { type: "hold" };
  }
  return {
    id: row.id,
    position: row.position,
    name: row.name,
    enabled: row.enabled,
    match: {
      busId: row.busId,
      netFn: row.netFn,
      cmd: row.cmd,
      dataPrefix: bytes(row.dataPrefix),
      dataMask: bytes(row.dataMask),
    },
    action,
    hits: row.hits,
  };
}

function actionColumns(action: RuleAction) {
  return {
    action: action.type,
    cc: action.type === "answer" || action.type === "error" ? action.cc : null,
    data: action.type === "answer" ? Uint8Array.from(action.data) : null,
    delayMs: action.type === "delay" ? action.ms : null,
  };
}

function matchColumns(m: NewRuleBody["match"]) {
  return {
    busId: m.busId ?? null,
    netFn: m.netFn ?? null,
    cmd: m.cmd ?? null,
    dataPrefix: m.dataPrefix ? Uint8Array.from(m.dataPrefix) : null,
    dataMask: m.dataMask ? Uint8Array.from(m.dataMask) : null,
  };
}

export class RuleEngine {
  private rules: Rule[] = [];
  private readonly listeners = new Set<(rules: RuleDto[]) => void>();
  private hitsDirty = new Set<number>();
  private hitsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const rows = await this.db.rule.findMany({ orderBy: [{ position: "asc" }, { id: "asc" }] });
    this.rules = rows.map(rowToRule);
    this.hitsTimer = setInterval(() => void this.saveHits(), 1000);
    this.hitsTimer.unref();
  }

  /** The first enabled rule matching the request; counts the hit. */
  match(req: InterceptContext): Rule | undefined {
    for (const rule of this.rules) {
      if (rule.enabled && ruleMatches(rule.match, req)) {
        rule.hits++;
        this.hitsDirty.add(rule.id);
        return rule;
      }
    }
    return undefined;
  }

  list(): RuleDto[] {
    return this.rules.map(ruleToDto);
  }

  get(id: number): Rule | undefined {
    return this.rules.find((r) => r.id === id);
  }

  async create(body: NewRuleBody): Promise<RuleDto> {
    const data = {
      name: body.name,
      enabled: body.enabled,
      position: this.rules.length,
      ...matchColumns(body.match),
      ...actionColumns(body.action),
    };
    const row = await writeWithRetry(this.db, () => this.db.rule.create({ data }));
    const rule = rowToRule(row);
    this.rules.push(rule);
    this.changed();
    return ruleToDto(rule);
  }

  /** Returns null when no rule has that id. */
  async update(id: number, patch: PatchRuleBody): Promise<RuleDto | null> {
    const rule = this.get(id);
    if (!rule) return null;
    const data = {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(patch.match !== undefined && matchColumns(patch.match)),
      ...(patch.action !== undefined && actionColumns(patch.action)),
    };
    await writeWithRetry(this.db, () => this.db.rule.update({ where: { id }, data }));
    const updated = rowToRule(await this.db.rule.findUniqueOrThrow({ where: { id } }));
    updated.hits = rule.hits;
    this.rules = this.rules.map((r) => (r.id === id ? updated : r));
    if (patch.position !== undefined) await this.move(id, patch.position);
    this.changed();
    return ruleToDto(this.get(id)!);
  }

  async remove(id: number): Promise<boolean> {
    if (!this.get(id)) return false;
    await writeWithRetry(this.db, () => this.db.rule.delete({ where: { id } }));
    this.rules = this.rules.filter((r) => r.id !== id);
    await this.renumber();
    this.changed();
    return true;
  }

  onChange(listener: (rules: RuleDto[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.hitsTimer);
    await this.saveHits();
  }

  private async move(id: number, position: number): Promise<void> {
    const rule = this.get(id)!;
    const rest = this.rules.filter((r) => r.id !== id);
    rest.splice(Math.min(position, rest.length), 0, rule);
    this.rules = rest;
    await this.renumber();
  }

  private async renumber(): Promise<void> {
    const moves = this.rules
      .map((r, i) => ({ r, i }))
      .filter(({ r, i }) => r.position !== i)
      .map(({ r, i }) => {
        r.position = i;
        return { id: r.id, position: i };
      });
    // The statements are built inside: a retried $transaction needs fresh ones.
    if (moves.length > 0)
      await writeWithRetry(this.db, () =>
        this.db.$transaction(
          moves.map(({ id, position }) => this.db.rule.update({ where: { id }, data: { position } })),
        ),
      );
  }

  private async saveHits(): Promise<void> {
    if (this.hitsDirty.size === 0) return;
    const ids = [...this.hitsDirty];
    this.hitsDirty = new Set();
    const hits = ids.flatMap((id) => {
      const rule = this.get(id);
      return rule ? [{ id, hits: rule.hits }] : [];
    });
    try {
      await writeWithRetry(this.db, () =>
        this.db.$transaction(
          hits.map(({ id, hits }) => this.db.rule.updateMany({ where: { id }, data: { hits } })),
        ),
      );
    } catch {
      for (const id of ids) this.hitsDirty.add(id);
    }
    this.changed();
  }

  private changed(): void {
    const list = this.list();
    for (const l of this.listeners) l(list);
  }
}
