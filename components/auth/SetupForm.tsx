"use client";

import Link from "next/link";
import { type FormEvent, useEffect, useState } from "react";
import { ApiRequestError, issuesByField, messageOf } from "@/components/api";
import { newOperatorBody } from "@/server/contract/control";
import { fetchSession, setup } from "./authApi";
import { goTo } from "./navigation";
import { loginHref, safeNext } from "./paths";

type SetupField = "username" | "password" | "confirm";

/** First run: creates the first admin (an operator) and signs in as it. */
export function SetupForm({ next }: { next: string | undefined }) {
  const target = safeNext(next);
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<SetupField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [alreadySetUp, setAlreadySetUp] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    fetchSession(ctrl.signal)
      .then((session) => setAlreadySetUp(!session.setupNeeded))
      .catch(() => {
        // The server says so on submit.
      });
    return () => ctrl.abort();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errors: Partial<Record<SetupField, string>> = {};
    const checked = newOperatorBody.safeParse({ username: username.trim(), password });
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const field = issue.path[0];
        if ((field === "username" || field === "password") && errors[field] === undefined) {
          errors[field] = issue.message;
        }
      }
    }
    if (confirm !== password) errors.confirm = "the passwords differ";
    setFieldErrors(errors);
    setError(null);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      await setup({ username: username.trim(), password });
      goTo(target);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiRequestError && err.status === 409) {
        setAlreadySetUp(true);
        setError(err.message || "An operator exists already: sign in instead.");
      } else if (err instanceof ApiRequestError && err.issues.length > 0) {
        const { fields } = issuesByField(err.issues, (path) =>
          path === "username" || path === "password" ? path : undefined,
        );
        setFieldErrors(fields);
        if (Object.keys(fields).length === 0) setError(messageOf(err));
      } else {
        setError(messageOf(err));
      }
    }
  };

  return (
    <form className="auth-card" onSubmit={submit} data-testid="setup-form" noValidate>
      <h1>First run</h1>
      <p className="muted">
        No operator exists yet. Create the first admin: it can do everything, including watching and steering
        the traffic.
      </p>
      {alreadySetUp && (
        <p className="notice" role="status" data-testid="setup-done">
          An operator exists already. <Link href={loginHref(target)}>Sign in</Link>
        </p>
      )}
      <label className={`form-field${fieldErrors.username ? " has-error" : ""}`}>
        <span className="form-label">User name</span>
        <input
          className="input"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="setup-username"
        />
        {fieldErrors.username && <span className="error-text">{fieldErrors.username}</span>}
      </label>
      <label className={`form-field${fieldErrors.password ? " has-error" : ""}`}>
        <span className="form-label">Password (at least 10 characters)</span>
        <input
          className="input"
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="setup-password"
        />
        {fieldErrors.password && <span className="error-text">{fieldErrors.password}</span>}
      </label>
      <label className={`form-field${fieldErrors.confirm ? " has-error" : ""}`}>
        <span className="form-label">Password again</span>
        <input
          className="input"
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          data-testid="setup-confirm"
        />
        {fieldErrors.confirm && <span className="error-text">{fieldErrors.confirm}</span>}
      </label>
      {error !== null && (
        <p className="error-text" role="alert" data-testid="setup-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-wide" disabled={busy} data-testid="setup-submit">
        {busy ? "Creating…" : "Create admin and sign in"}
      </button>
      <p className="muted">
        <Link href={loginHref(target)}>Back to sign-in</Link>
      </p>
    </form>
  );
}
