import { join } from "node:path";

export const ADMIN_PASSWORD = "e2e-admin-password";
/** The signed-in admin's cookies, written by global-setup.ts. */
export const ADMIN_STATE = join(process.cwd(), ".cache", "e2e-state", "admin.json");
