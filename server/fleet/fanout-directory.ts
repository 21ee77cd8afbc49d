/**
 * The nodes this node has heard over the fan-out (hello, exchange batches, replies), and
 * when last. A name heard once stays known, so a command to a node that stopped is "gone"
 * (it did not answer) rather than "unknown-node" (no such node in the fleet). Kept from the
 * adapter's own traffic rather than read from the store's FleetNode table: commands ride the
 * same channel, so what it has heard is what it can reach, and no query runs per command.
 */
export class NodeDirectory {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    readonly self: string,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSeen.set(self, now());
  }

  /** Records a message from `node`; true when the name is new. */
  heard(node: string): boolean {
    const isNew = !this.lastSeen.has(node);
    this.lastSeen.set(node, this.now());
    return isNew;
  }

  knows(node: string): boolean {
    return this.lastSeen.has(node);
  }

  names(): string[] {
    return [...this.lastSeen.keys()].sort();
  }
}

/** Where a control action goes: here, over the fan-out, or nowhere (no such node heard of). */
export type CommandRoute = "local" | "remote" | "unknown-node";

export function routeCommand(target: string | undefined, directory: NodeDirectory | undefined): CommandRoute {
  if (target === undefined) return "local";
  if (directory === undefined) return "unknown-node";
  if (target === directory.self) return "local";
  return directory.knows(target) ? "remote" : "unknown-node";
}
