/**
 * Signs in once as the first admin (created by the server from DASHBOARD_ADMIN_PASSWORD)
 * and saves the session for the tests that start signed in.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type FullConfig, request } from "@playwright/test";
import { ADMIN_PASSWORD, ADMIN_STATE } from "./env";

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]!.use.baseURL!;
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post("/api/auth/login", { data: { username: "admin", password: ADMIN_PASSWORD } });
  if (res.status() !== 200) throw new Error(`e2e sign-in failed: ${res.status()} ${await res.text()}`);
  mkdirSync(dirname(ADMIN_STATE), { recursive: true });
  await ctx.storageState({ path: ADMIN_STATE });
  await ctx.dispose();
}
