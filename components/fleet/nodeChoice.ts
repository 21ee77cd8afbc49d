/**
 * Which node(s) the console looks at and acts on (issue 14), as the URL carries it
 * (`?node=all`, `?node=c`), so a link keeps the view. Pure: parsed and turned into what
 * the socket and the control routes want here, tested without a browser.
 */
import type { SetNodesOptions } from "@/server/contract/fleet";

/** The URL parameter that carries the choice. */
export const NODE_PARAM = "node";

export type NodeChoice =
  /** The node serving this console (no parameter). */
  | { kind: "self" }
  /** Every node's live traffic; control actions stay here. */
  | { kind: "all" }
  /** One other node: its traffic, and where control actions go. */
  | { kind: "node"; name: string };

export const SELF: NodeChoice = { kind: "self" };
export const ALL: NodeChoice = { kind: "all" };

/** As the contract bounds a node name (targetNode in server/contract/fleet.ts). */
const MAX_NODE_NAME = 63;

/**
 * The choice a `?node=` value makes. Blank, malformed and this node's own name are all
 * "self": a link to node A's console that names A shows what it would without the name.
 */
export function parseNodeChoice(value: string | null | undefined, self: string | null = null): NodeChoice {
  const v = value?.trim() ?? "";
  if (v === "" || v.length > MAX_NODE_NAME) return SELF;
  if (v === "all") return ALL;
  if (self !== null && v === self) return SELF;
  return { kind: "node", name: v };
}

/** The `?node=` value for a choice; null: leave the parameter out. */
export function nodeParam(choice: NodeChoice): string | null {
  switch (choice.kind) {
    case "self":
      return null;
    case "all":
      return "all";
    case "node":
      return choice.name;
  }
}

export function sameChoice(a: NodeChoice, b: NodeChoice): boolean {
  return nodeParam(a) === nodeParam(b);
}

/**
 * What to ask the live socket for (`setNodes`). Null for "self" while this node's name is
 * unknown: a new connection watches its own node anyway, and only a switch back from
 * another choice needs saying, by which time the name is known.
 */
export function nodesToWatch(choice: NodeChoice, self: string | null): SetNodesOptions | null {
  switch (choice.kind) {
    case "all":
      return { nodes: "all" };
    case "node":
      return { nodes: [choice.name] };
    case "self":
      return self === null ? null : { nodes: [self] };
  }
}

/** Where control actions go: another node's name, or undefined for here ("all" acts here). */
export function controlTarget(choice: NodeChoice): string | undefined {
  return choice.kind === "node" ? choice.name : undefined;
}

/**
 * `path` with the control route's target node. The one place that knows how a route is
 * told its node (a query parameter), so moving it to the body is a change here only.
 */
export function withTarget(path: string, node: string | undefined): string {
  if (node === undefined || node === "") return path;
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}${NODE_PARAM}=${encodeURIComponent(node)}`;
}

/** A console link that keeps the node choice (nav links, cross-page links). */
export function hrefWithChoice(href: string, choice: NodeChoice): string {
  const value = nodeParam(choice);
  if (value === null) return href;
  const [path = href, query = ""] = href.split("?", 2);
  const q = new URLSearchParams(query);
  q.set(NODE_PARAM, value);
  return `${path}?${q.toString()}`;
}

/** A search string (from `location.search`) with the choice written in, the rest kept. */
export function searchWithChoice(search: string, choice: NodeChoice): string {
  const q = new URLSearchParams(search);
  const value = nodeParam(choice);
  if (value === null) q.delete(NODE_PARAM);
  else q.set(NODE_PARAM, value);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}
