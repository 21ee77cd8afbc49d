/**
 * For the device transports' tests: a bus under the product's router with the BMC's
 * handlers (and, if asked, a slow one at netfn 30h cmd 01h), started, its exchanges
 * collected, and a log that keeps the warnings. Test code only.
 */
import { createBmc } from "../../bmc";
import type { Exchange } from "../../contract/exchange";
import { empty } from "../../ipmi/layout/codec";
import { layout } from "../../ipmi/layout/layout";
import { Router } from "../../router/router";
import { type Bus, defineHandler } from "../../router/types";

export function logSink() {
  const lines: string[] = [];
  return {
    lines,
    log: { debug: () => {}, info: () => {}, warn: (m: string) => lines.push(m), error: () => {} },
  };
}

export async function routedBus(
  bus: Bus,
  cleanups: (() => Promise<void> | void)[],
  options: { slowMs?: number; routerTimeoutMs?: number } = {},
): Promise<{ router: Router; exchanges: Exchange[] }> {
  const router = new Router({ defaultTimeoutMs: options.routerTimeoutMs ?? 10_000 });
  for (const spec of createBmc().handlers) router.registry.register(spec);
  if (options.slowMs !== undefined) {
    const delay = options.slowMs;
    router.registry.register(
      defineHandler({
        id: "test.slow",
        netFn: 0x30,
        cmd: 0x01,
        request: layout(empty),
        handle: () => new Promise((r) => setTimeout(() => r({ data: [0x5a] }), delay)),
      }),
    );
  }
  const exchanges: Exchange[] = [];
  router.onExchange((x) => exchanges.push(x));
  router.addBus(bus);
  await bus.start();
  cleanups.push(() => bus.stop());
  return { router, exchanges };
}
