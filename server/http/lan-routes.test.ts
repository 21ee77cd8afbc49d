import { describe, expect, it } from "vitest";
import { requiredAccess } from "../auth/access-policy";
import { auditedUserChange, ipmiUserIdParam, lanSessionIdParam } from "./lan-routes";
import { HttpError } from "./route-helpers";

function failure(run: () => unknown): HttpError {
  try {
    run();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("ipmiUserIdParam", () => {
  it("takes 1..16", () => {
    expect(ipmiUserIdParam("1")).toBe(1);
    expect(ipmiUserIdParam("16")).toBe(16);
    expect(ipmiUserIdParam("03")).toBe(3);
  });

  it("answers 400 for anything else, saying the range", () => {
    for (const raw of ["0", "17", "-1", "1.5", "abc", "", "0x3", "1e1", "3 4"]) {
      const e = failure(() => ipmiUserIdParam(raw));
      expect(e.status, raw).toBe(400);
      expect(e.message, raw).toContain("1-16");
    }
  });
});

describe("lanSessionIdParam", () => {
  it("takes a positive 32-bit integer", () => {
    expect(lanSessionIdParam("1")).toBe(1);
    expect(lanSessionIdParam("4294967295")).toBe(0xffffffff);
    expect(lanSessionIdParam("305419896")).toBe(0x12345678);
  });

  it("answers 400 for 0, too large, negative or not decimal", () => {
    for (const raw of ["0", "4294967296", "99999999999", "-5", "12345678h", "0x10", "1.0", ""]) {
      const e = failure(() => lanSessionIdParam(raw));
      expect(e.status, raw).toBe(400);
      expect(e.message, raw).toMatch(/session ID/);
    }
  });
});

describe("auditedUserChange", () => {
  it("keeps every changed field but never the password", () => {
    const detail = auditedUserChange({ name: "ops", password: "s3cret-Pass", enabled: true });
    expect(detail).toEqual({ name: "ops", enabled: true, password: "(set)" });
    expect(JSON.stringify(detail)).not.toContain("s3cret");
  });

  it("leaves a change without a password as it is", () => {
    const access = { channel: 1, privilege: "operator" as const };
    expect(auditedUserChange({ access })).toEqual({ access });
  });
});

describe("who may reach the LAN routes (the gate's table)", () => {
  it("lets any signed-in person read and only an operator change", () => {
    expect(requiredAccess("GET", "/api/lan/sessions")).toBe("viewer");
    expect(requiredAccess("DELETE", "/api/lan/sessions/305419896")).toBe("operator");
    expect(requiredAccess("GET", "/api/ipmi-users")).toBe("viewer");
    expect(requiredAccess("PATCH", "/api/ipmi-users/3")).toBe("operator");
    expect(requiredAccess("GET", "/sessions")).toBe("viewer");
    expect(requiredAccess("GET", "/ipmi-users")).toBe("viewer");
  });
});
