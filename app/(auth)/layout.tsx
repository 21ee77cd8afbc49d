import type { ReactNode } from "react";

/** Sign-in and first-run setup: no nav, no live connection. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return <main className="auth-main">{children}</main>;
}
