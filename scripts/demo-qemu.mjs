#!/usr/bin/env node
// `npm run demo:qemu`: a real Linux host talks to our BMC over BT (or KCS).
// Starts the server with HOST_TRANSPORT=qemu (it listens for QEMU's ipmi-bmc-extern),
// boots a small Debian-kernel guest in QEMU (scripts/qemu/guest.mjs builds and caches
// it under .cache/qemu-guest/), and shows the guest's console here while the dashboard
// shows its traffic: the ipmi_si driver probing at load, then ipmitool's mc info, sdr
// list, sel list and chassis status.
//
//   npm run demo:qemu                 run the guest once, keep the dashboard up (Enter: boot again)
//   npm run demo:qemu -- --shell      give a shell on the guest afterwards (try ipmitool yourself)
//   npm run demo:qemu -- --exit       stop everything when the guest is done (exit status: ipmitool's)
//   npm run demo:qemu -- --interface kcs      the guest gets QEMU's isa-ipmi-kcs instead of isa-ipmi-bt
//   npm run demo:qemu -- --interface bt+kcs   both: /dev/ipmi0 and /dev/ipmi1, on buses bt0 and kcs0
// Environment as for `npm start` (PORT, DATABASE_URL, ...). The server runs with
// BUSES=<each interface>:qemu@127.0.0.1:0 (any free loopback port each), ipmb:sim and
// lan; QEMU_ACCEL=kvm tries KVM instead of TCG.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "./build.mjs";
import { ensure, root } from "./ensure.mjs";
import {
  bootGuest,
  buildGuest,
  cacheDir,
  GUEST_INTERFACES,
  guestInterfaces,
  parseGuestOutput,
  QemuUnavailable,
} from "./qemu/guest.mjs";

const say = (msg) => process.stdout.write(`\x1b[1m[demo]\x1b[0m ${msg}\n`);
const shell = process.argv.includes("--shell");
const exitWhenDone = process.argv.includes("--exit") || !process.stdin.isTTY;

/** `--interface kcs`, `--interface=kcs` or `--interface bt+kcs`: the IPMI interface(s) QEMU gives the guest. */
function interfaceArg() {
  const argv = process.argv.slice(2);
  const at = argv.findIndex((a) => a === "--interface" || a.startsWith("--interface="));
  if (at < 0) return "bt";
  const value = argv[at].includes("=") ? argv[at].slice(argv[at].indexOf("=") + 1) : argv[at + 1];
  try {
    guestInterfaces(value ?? "");
  } catch {
    process.stderr.write(
      `[demo] --interface takes ${Object.keys(GUEST_INTERFACES).join(", ")} or bt+kcs, not '${value ?? ""}'\n`,
    );
    process.exit(2);
  }
  return value;
}
const iface = interfaceArg();
const links = guestInterfaces(iface);
const label = links.map((l) => l.toUpperCase()).join(" and ");

ensure();
await build();

let guest;
try {
  guest = buildGuest();
} catch (err) {
  if (err instanceof QemuUnavailable) {
    process.stderr.write(`\n[demo] QEMU cannot run on this machine: ${err.message}\n`);
    process.exit(3);
  }
  throw err;
}
say(`guest: Linux ${guest.kernelVersion} on ${guest.qemuVersion} (${guest.accel})`);

// ---- the server ---------------------------------------------------------------------

const qmpSocket = join(cacheDir, "demo-qmp.sock");
rmSync(qmpSocket, { force: true });
const server = spawn(process.execPath, ["--enable-source-maps", join(root, "dist", "server.mjs")], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "info",
    ...process.env,
    NODE_ENV: "production",
    // One VM-protocol socket per interface; the older shorthands would contradict BUSES.
    BUSES: [...links.map((l) => `${l}:qemu@127.0.0.1:0`), "ipmb:sim", "lan"].join(","),
    // The guest's second serial port (ttyS1, a shell on it) is the console the BMC owns.
    HOST_SERIAL: "qemu:127.0.0.1:0",
    HOST_TRANSPORT: undefined,
    BT_TRANSPORT: undefined,
    QEMU_INTERFACE: undefined,
    BUSES_FILE: undefined,
    QEMU_MODE: "listen",
    QEMU_QMP: `unix:${qmpSocket}`,
  },
});
const serverExited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));
let serverOut = "";
const relay = (stream) => {
  createInterface({ input: stream }).on("line", (line) => {
    serverOut += `${line}\n`;
    process.stdout.write(`\x1b[2m[server]\x1b[0m ${line}\n`);
  });
};
relay(server.stdout);
relay(server.stderr);

const ready = await new Promise((resolve) => {
  const timer = setInterval(() => {
    const url = /listening on (http:\/\/\S+)/.exec(serverOut);
    const ports = links.map((l) =>
      new RegExp(`bus ${l}0: QEMU guest, \\w+ \\(ipmi-bmc-extern, listening on [^\\s,]+:(\\d+),`).exec(
        serverOut,
      ),
    );
    const serial = /host console: QEMU serial \(chardev socket, listening on [^\s,]+:(\d+),/.exec(serverOut);
    const lan = /bus lan0: LAN, udp [^\s:]+:(\d+)/.exec(serverOut);
    if (url && ports.every(Boolean) && serial && lan) {
      clearInterval(timer);
      resolve({
        url: url[1],
        ports: ports.map((m) => Number(m[1])),
        serial: Number(serial[1]),
        lan: Number(lan[1]),
      });
    }
  }, 50);
  void serverExited.then(() => {
    clearInterval(timer);
    resolve(undefined);
  });
});
if (!ready) {
  process.stderr.write("\n[demo] the server stopped before it listened; see its output above.\n");
  process.exit(1);
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (vm && vm.exitCode === null) vm.kill("SIGTERM");
  server.kill("SIGTERM");
  await serverExited;
  rmSync(qmpSocket, { force: true });
  process.exit(code);
}
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));

// ---- the guest ----------------------------------------------------------------------

/** How long the demo's guest waits, at most, for `exit` in its ttyS1 shell. */
const HOLD_SECONDS = 600;

let vm;
async function runGuest() {
  const started = Date.now();
  say(
    `booting the guest; its ${label} interface's BMC is our server on ${ready.ports.map((p) => `127.0.0.1:${p}`).join(" and ")}`,
  );
  say(
    `watch its traffic live at ${ready.url} (sign in as an operator); its console (ttyS1) on the Console page`,
  );
  // Unless it is to exit when done, the guest keeps its ttyS1 shell (the BMC's console) up
  // after its steps until someone types `exit` there, through SOL or the Console page.
  const holdSerial = exitWhenDone || shell ? undefined : HOLD_SECONDS;
  if (holdSerial) {
    const password = /IPMI user admin, password (\S+) \(generated/.exec(serverOut)?.[1] ?? "<its password>";
    say(
      `Serial over LAN to the guest's shell: ipmitool -I lanplus -H 127.0.0.1 -p ${ready.lan} -U admin -P ${password} sol activate (~. ends it)`,
    );
    say(
      `the guest stays up until 'exit' in its ttyS1 shell (SOL or the Console page), ${HOLD_SECONDS / 60} min at most`,
    );
  }
  let consoleText = "";
  if (shell) {
    vm = bootGuest(
      guest,
      {
        ports: ready.ports,
        shell: true,
        qmp: `unix:${qmpSocket}`,
        iface,
        events: true,
        serial: ready.serial,
      },
      "inherit",
    );
  } else {
    vm = bootGuest(guest, {
      ports: ready.ports,
      qmp: `unix:${qmpSocket}`,
      iface,
      events: true,
      serial: ready.serial,
      ...(holdSerial ? { holdSerial } : {}),
    });
    const show = (stream) =>
      createInterface({ input: stream }).on("line", (line) => {
        consoleText += `${line}\n`;
        process.stdout.write(`\x1b[36m[guest]\x1b[0m ${line}\n`);
      });
    show(vm.stdout);
    show(vm.stderr);
  }
  await new Promise((resolve) => vm.on("exit", resolve));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (shell) {
    say(`the guest powered off after ${seconds} s`);
    return 0;
  }
  const sections = parseGuestOutput(consoleText);
  const commands = [
    ...links.flatMap((_, i) =>
      ["mc info", "sdr list", "sel list", "chassis status"].map((c) => (i === 0 ? c : `ipmi${i} ${c}`)),
    ),
    "set threshold",
    "bridged mc info",
  ];
  const failed = commands.filter((c) => sections[c]?.rc !== 0);
  say(
    `guest done in ${seconds} s: ${commands.map((c) => `${c} ${sections[c] ? `rc=${sections[c].rc}` : "did not run"}`).join(", ")}`,
  );
  return failed.length === 0 ? 0 : 1;
}

let status = await runGuest();
if (exitWhenDone) await stop(status);
for (;;) {
  say(`the dashboard keeps the exchanges: ${ready.url}. Enter boots the guest again, Ctrl-C stops.`);
  await new Promise((resolve) => process.stdin.once("data", resolve));
  status = await runGuest();
}
