"use client";

import Link from "next/link";
import { type FormEvent, useEffect, useState } from "react";
import { ApiRequestError, messageOf } from "@/components/api";
import { fetchSession, login } from "./authApi";
import { goTo } from "./navigation";
import { rateLimitText, safeNext, setupHref } from "./paths";

interface LoginFormProps {
  /** The raw `next` parameter: where to go after signing in. */
  next: string | undefined;
  /** Arrived here because the session ended (sign-out, expiry). */
  signedOut: boolean;
}

/** Sign-in: user name and password; links to first-run setup while no operator exists. */
export function LoginForm({ next, signedOut }: LoginFormProps) {
  const target = safeNext(next);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; kind: "auth" | "rate" | "other" } | null>(null);
  const [setupNeeded, setSetupNeeded] = useState(false);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const [, setTick] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    fetchSession(ctrl.signal)
      .then((session) => {
        // Already signed in (another tab did it): nothing to do here.
        if (session.operator !== null) goTo(target);
        setSetupNeeded(session.setupNeeded);
      })
      .catch(() => {
        // The form still works; the server says what is wrong on submit.
      });
    return () => ctrl.abort();
  }, [target]);

  // While rate-limited, count the wait down and keep the button off.
  useEffect(() => {
    if (retryUntil === null) return;
    const timer = window.setInterval(() => {
      if (Date.now() >= retryUntil) {
        setRetryUntil(null);
        setError(null);
      } else {
        setTick((t) => t + 1);
      }
    }, 500);
    return () => window.clearInterval(timer);
  }, [retryUntil]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (username.trim() === "" || password === "") {
      setError({ text: "Enter your user name and password.", kind: "other" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login({ username: username.trim(), password });
      goTo(target);
    } catch (err) {
      setBusy(false);
      setPassword("");
      if (err instanceof ApiRequestError && err.status === 429) {
        const wait = err.retryAfterSeconds;
        if (wait !== null) setRetryUntil(Date.now() + wait * 1000);
        setError({ text: rateLimitText(wait, err.message), kind: "rate" });
      } else if (err instanceof ApiRequestError && err.status === 401) {
        setError({ text: err.message || "Wrong user name or password.", kind: "auth" });
      } else {
        setError({ text: messageOf(err), kind: "other" });
      }
    }
  };

  const waitLeft = retryUntil === null ? null : Math.max(0, Math.ceil((retryUntil - Date.now()) / 1000));

  return (
    <form className="auth-card" onSubmit={submit} data-testid="login-form" noValidate>
      <h1>BMC Traffic Console</h1>
      <p className="muted">Sign in to watch and steer the BMC's traffic.</p>
      {signedOut && (
        <p className="notice" role="status" data-testid="signed-out-notice">
          You are signed out; the live stream stopped.
        </p>
      )}
      <label className="form-field">
        <span className="form-label">User name</span>
        <input
          className="input"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: the one thing to do on this page
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="login-username"
        />
      </label>
      <label className="form-field">
        <span className="form-label">Password</span>
        <input
          className="input"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="login-password"
        />
      </label>
      {error !== null && (
        <p className="error-text" role="alert" data-testid="login-error" data-kind={error.kind}>
          {error.kind === "rate" && waitLeft !== null ? rateLimitText(waitLeft) : error.text}
        </p>
      )}
      <button
        type="submit"
        className="btn btn-primary btn-wide"
        disabled={busy || retryUntil !== null}
        data-testid="login-submit"
      >
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {setupNeeded && (
        <p className="muted">
          No operator exists yet.{" "}
          <Link href={setupHref(target)} data-testid="setup-link">
            Create the first admin
          </Link>
        </p>
      )}
    </form>
  );
}
