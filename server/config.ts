/**
 * Configuration from the environment, checked against a schema at start so a typo
 * stops the server with the variable's name and the reason instead of odd behaviour.
 */
import { z } from "zod";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

const rate = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (/^(max|flat-?out|inf(inity)?)$/i.test(s)) return Number.POSITIVE_INFINITY;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0 || n > 100_000) {
      ctx.addIssue({
        code: "custom",
        message: "a number of messages per second (0 < rate <= 100000) or 'max'",
      });
      return z.NEVER;
    }
    return n;
  });

export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .regex(/^file:.+/, "a SQLite URL such as file:./data/bmc.db")
      .default("file:./data/bmc.db"),
    BT_TRANSPORT: z.enum(["sim", "none"]).default("sim"),
    SIM_RATE: rate.default(10),
    HANDLER_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    /** Until operator sign-in exists, the console refuses to listen beyond loopback unless told to. */
    ALLOW_UNAUTHENTICATED_REMOTE: z
      .enum(["0", "1", "true", "false"])
      .default("0")
      .transform((v) => v === "1" || v === "true"),
  })
  .superRefine((c, ctx) => {
    if (!LOOPBACK.test(c.HOST) && !c.ALLOW_UNAUTHENTICATED_REMOTE) {
      ctx.addIssue({
        code: "custom",
        path: ["HOST"],
        message:
          `${c.HOST} is not a loopback address, and the console has no operator sign-in yet: anyone who ` +
          "reaches it could change the BMC's behaviour. Use 127.0.0.1 (and an SSH tunnel), or set " +
          "ALLOW_UNAUTHENTICATED_REMOTE=1 on a network you trust.",
      });
    }
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`));
  }
  return parsed.data;
}
