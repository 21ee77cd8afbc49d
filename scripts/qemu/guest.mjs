#!/usr/bin/env node
// Builds (once, cached under .cache/qemu-guest/) a tiny Linux guest whose kernel talks
// to our BMC over QEMU's BT or KCS interface, and says how to boot it:
// - the kernel and the IPMI modules from Debian's linux-image-*-amd64 package
//   (`apt-get download`, then unpacked with dpkg-deb: nothing is installed),
// - an initramfs written here: busybox-static, ipmitool with the libraries it links,
//   the modules, and scripts/qemu/init.sh as /init.
// Host packages it needs (qemu-system-x86, busybox-static, ipmitool) are installed
// with apt-get when missing and we are root.
//
//   node scripts/qemu/guest.mjs          build (or find cached) and print a summary
//   node scripts/qemu/guest.mjs --json   ... and the paths as JSON on the last line
// Exit status 3: QEMU cannot run on this machine (the tests skip on that alone).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const cacheDir = join(root, ".cache", "qemu-guest");
const INIT_SCRIPT = join(here, "init.sh");
/** Bump when the initramfs layout changes. */
const LAYOUT_VERSION = 1;
const MODULES = ["ipmi_msghandler", "ipmi_devintf", "ipmi_si"];

export class QemuUnavailable extends Error {}

function say(msg) {
  process.stderr.write(`[qemu-guest] ${msg}\n`);
}

function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  if (r.error) return { status: 127, stdout: "", stderr: r.error.message };
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function which(command) {
  const r = sh("sh", ["-c", `command -v ${command}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Child output goes to our stderr: stdout carries only the --json line. */
const QUIET_STDOUT = ["ignore", 2, 2];
const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;
const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
let aptUpdated = false;

function aptUpdate() {
  if (aptUpdated) return true;
  say("apt-get update");
  aptUpdated = sh("apt-get", ["update", "-qq"], { env: aptEnv, stdio: QUIET_STDOUT }).status === 0;
  return aptUpdated;
}

/** Installs a Debian package when `path` is missing; returns whether it is there now. */
function ensurePackage(path, pkg, why) {
  const present = () => (path.startsWith("/") ? existsSync(path) : which(path) !== undefined);
  if (present()) return { ok: true };
  if (!isRoot())
    return { ok: false, reason: `${path} is missing; install it with: sudo apt-get install -y ${pkg}` };
  say(`installing Debian's ${pkg} (${why})`);
  const install = () =>
    sh("apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], {
      env: aptEnv,
      stdio: QUIET_STDOUT,
    }).status === 0;
  if (!install() && !(aptUpdate() && install()))
    return { ok: false, reason: `apt-get install ${pkg} failed` };
  return present() ? { ok: true } : { ok: false, reason: `${pkg} installed but ${path} is still missing` };
}

/** qemu-system-x86_64, installed if need be; throws QemuUnavailable when it cannot run here. */
export function ensureQemu() {
  const r = ensurePackage("qemu-system-x86_64", "qemu-system-x86", "to boot the test guest");
  if (!r.ok) throw new QemuUnavailable(r.reason);
  const qemu = which("qemu-system-x86_64");
  const v = sh(qemu, ["--version"]);
  if (v.status !== 0) throw new QemuUnavailable(`qemu-system-x86_64 does not run: ${v.stderr.trim()}`);
  return { path: qemu, version: v.stdout.split("\n")[0].trim() };
}

/**
 * TCG (QEMU's own CPU emulation) unless QEMU_ACCEL says otherwise: it runs anywhere,
 * and the guest reaches ipmitool in seconds. KVM is not the default because inside a
 * VM whose nested KVM is incomplete (this project's machines: /dev/kvm exists, but the
 * guest hangs without a line of output, or QEMU aborts with -cpu host) "kvm:tcg" does
 * not fall back: KVM starts, then the guest never runs.
 */
export function accelerator() {
  return process.env.QEMU_ACCEL || "tcg";
}

// ---- the kernel --------------------------------------------------------------------

function cachedKernels() {
  const dir = join(cacheDir, "kernel");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(
      (v) => existsSync(join(dir, v, "vmlinuz")) && MODULES.every((m) => existsSync(join(dir, v, `${m}.ko`))),
    )
    .sort();
}

/** Which linux-image-*-amd64 the linux-image-amd64 metapackage points at now. */
function currentKernelPackage() {
  const ask = () =>
    /Depends: (linux-image-[^\s]+-amd64)/.exec(sh("apt-cache", ["depends", "linux-image-amd64"]).stdout);
  let m = ask();
  if (!m && aptUpdate()) m = ask();
  if (!m) throw new Error("apt-cache cannot resolve linux-image-amd64: is Debian's archive reachable?");
  return m[1];
}

function decompressModule(src, dest) {
  if (src.endsWith(".ko")) return writeFileSync(dest, readFileSync(src));
  const tool = src.endsWith(".xz") ? "xz" : src.endsWith(".zst") ? "zstd" : undefined;
  if (!tool || !which(tool)) throw new Error(`cannot decompress ${src}`);
  const r = spawnSync(tool, ["-dc", src], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${tool} -dc ${src} failed`);
  writeFileSync(dest, r.stdout);
}

/** vmlinuz and the three IPMI modules, from Debian's package; cached by kernel version. */
export function ensureKernel() {
  const cached = cachedKernels();
  if (cached.length > 0 && !process.env.QEMU_GUEST_REFRESH) {
    const version = cached[cached.length - 1];
    return { version, dir: join(cacheDir, "kernel", version) };
  }
  const pkg = currentKernelPackage();
  const version = pkg.replace(/^linux-image-/, "");
  const debs = join(cacheDir, "debs");
  mkdirSync(debs, { recursive: true });
  let deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!deb) {
    say(`downloading ${pkg} from Debian's archive (apt-get download, about 70 MB)`);
    const r = sh("apt-get", ["download", "-q", "-o", "APT::Sandbox::User=root", pkg], {
      cwd: debs,
      env: aptEnv,
      stdio: QUIET_STDOUT,
    });
    deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
    if (r.status !== 0 || !deb) throw new Error(`apt-get download ${pkg} failed`);
  }
  say(`unpacking the kernel and IPMI modules from ${deb}`);
  const unpack = join(cacheDir, "unpack");
  rmSync(unpack, { recursive: true, force: true });
  mkdirSync(unpack, { recursive: true });
  const r = sh("sh", [
    "-c",
    'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "*/vmlinuz-*" "*/drivers/char/ipmi/ipmi_*.ko*"',
    "unpack",
    join(debs, deb),
    unpack,
  ]);
  if (r.status !== 0) throw new Error(`unpacking ${deb} failed: ${r.stderr}`);
  const files = walk(unpack);
  const vmlinuz = files.find((f) => /\/boot\/vmlinuz-/.test(f));
  if (!vmlinuz) throw new Error(`${deb} has no /boot/vmlinuz-*`);
  const out = join(cacheDir, "kernel", version);
  const tmp = `${out}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "vmlinuz"), readFileSync(vmlinuz));
  for (const m of MODULES) {
    const src = files.find((f) => new RegExp(`/${m}\\.ko(\\.xz|\\.zst)?$`).test(f));
    if (!src) throw new Error(`${deb} has no ${m}.ko`);
    decompressModule(src, join(tmp, `${m}.ko`));
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  rmSync(unpack, { recursive: true, force: true });
  rmSync(join(debs, deb)); // what we need of it is unpacked
  return { version, dir: out };
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// ---- the initramfs -----------------------------------------------------------------

/** Shared libraries a binary loads, by the paths the dynamic loader finds them at. */
function libraries(binary) {
  const r = sh("ldd", [binary]);
  if (r.status !== 0) return []; // static
  const libs = [];
  for (const line of r.stdout.split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

/** A newc cpio archive (what the kernel unpacks as initramfs), written in memory. */
class Cpio {
  chunks = [];
  ino = 1;
  dirs = new Set();

  entry(name, mode, data = Buffer.alloc(0), { rdevMajor = 0, rdevMinor = 0 } = {}) {
    const fields = [
      this.ino++,
      mode,
      0,
      0,
      1,
      0,
      data.length,
      0,
      0,
      rdevMajor,
      rdevMinor,
      name.length + 1,
      0,
    ];
    const header = `070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`;
    this.push(Buffer.concat([Buffer.from(header, "ascii"), Buffer.from(`${name}\0`, "utf8")]));
    this.push(data);
  }

  push(buf) {
    this.chunks.push(buf);
    const len = this.chunks.reduce((n, c) => n + c.length, 0);
    const pad = (4 - (len % 4)) % 4;
    if (pad) this.chunks.push(Buffer.alloc(pad));
  }

  dir(path) {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (this.dirs.has(d)) continue;
      this.dirs.add(d);
      this.entry(d, 0o040755);
    }
  }

  file(path, data, mode = 0o100644) {
    const name = path.replace(/^\/+/, "");
    this.dir(dirname(name));
    this.entry(name, mode, data);
  }

  finish() {
    this.entry("TRAILER!!!", 0);
    return Buffer.concat(this.chunks);
  }
}

function ensureHostTools() {
  for (const [path, pkg] of [
    ["/bin/busybox", "busybox-static"],
    ["/usr/bin/ipmitool", "ipmitool"],
  ]) {
    const r = ensurePackage(path, pkg, "for the test guest's initramfs");
    if (!r.ok) throw new Error(r.reason);
  }
}

/** The initramfs for `kernel`, rebuilt when any of its inputs changed. */
export function ensureInitramfs(kernel) {
  ensureHostTools();
  const binaries = ["/bin/busybox", "/usr/bin/ipmitool"];
  const libs = [...new Set(binaries.flatMap(libraries))];
  const extras = ["/usr/share/misc/enterprise-numbers.txt"].filter((p) => existsSync(p));
  const modules = MODULES.map((m) => join(kernel.dir, `${m}.ko`));
  const inputs = [INIT_SCRIPT, ...binaries, ...libs, ...extras, ...modules];
  const hash = createHash("sha256").update(String(LAYOUT_VERSION));
  for (const p of inputs)
    hash
      .update(p)
      .update(String(statSync(p).size))
      .update(String(statSync(p).mtimeMs));
  const file = join(cacheDir, `initramfs-${kernel.version}-${hash.digest("hex").slice(0, 12)}.cpio.gz`);
  if (existsSync(file)) return file;

  say("writing the initramfs (busybox, ipmitool and its libraries, IPMI modules)");
  const cpio = new Cpio();
  for (const d of ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "root", "etc"])
    cpio.dir(d);
  cpio.entry("dev/console", 0o020600, Buffer.alloc(0), { rdevMajor: 5, rdevMinor: 1 });
  cpio.file("/init", readFileSync(INIT_SCRIPT), 0o100755);
  for (const b of binaries) cpio.file(b, readFileSync(b), 0o100755);
  for (const l of libs) cpio.file(l, readFileSync(l), 0o100755);
  for (const e of extras) cpio.file(e, readFileSync(e));
  for (const m of modules) cpio.file(`/lib/modules/${m.split("/").pop()}`, readFileSync(m));
  cpio.file("/etc/passwd", Buffer.from("root:x:0:0:root:/root:/bin/sh\n"));
  cpio.file("/etc/group", Buffer.from("root:x:0:\n"));
  mkdirSync(cacheDir, { recursive: true });
  for (const old of readdirSync(cacheDir))
    if (/^initramfs-.*\.cpio\.gz$/.test(old)) rmSync(join(cacheDir, old));
  writeFileSync(`${file}.tmp`, gzipSync(cpio.finish(), { level: 6 }));
  renameSync(`${file}.tmp`, file);
  return file;
}

/** Everything needed to boot: QEMU, kernel, initramfs. Throws QemuUnavailable when QEMU cannot run. */
export function buildGuest() {
  const started = Date.now();
  const qemu = ensureQemu();
  const kernel = ensureKernel();
  const initrd = ensureInitramfs(kernel);
  return {
    qemu: qemu.path,
    qemuVersion: qemu.version,
    accel: accelerator(),
    kernelVersion: kernel.version,
    kernel: join(kernel.dir, "vmlinuz"),
    initrd,
    preparedMs: Date.now() - started,
  };
}

/**
 * The IPMI interfaces QEMU can give the guest. Linux's ipmi_si finds each through the
 * ACPI IPI0001 device QEMU describes for it (BT at I/O E4h, KCS at CA2h; QEMU numbers the
 * devices by their uuid property, so two interfaces get two ACPI devices).
 */
export const GUEST_INTERFACES = { bt: "isa-ipmi-bt", kcs: "isa-ipmi-kcs" };

/** "bt", "kcs" or "bt+kcs" (one guest with both, each with its own BMC socket) -> ["bt", "kcs"]. */
export function guestInterfaces(spec = "bt") {
  const list = spec.split("+");
  const bad = list.filter((i) => !Object.hasOwn(GUEST_INTERFACES, i));
  if (bad.length > 0 || list.length === 0 || new Set(list).size !== list.length) {
    throw new Error(
      `the test guest has no '${spec}' interface; it boots with ${Object.keys(GUEST_INTERFACES).join(", ")} or bt+kcs`,
    );
  }
  return list;
}

/**
 * QEMU's command line for the guest: each of its IPMI interfaces (`iface`: "bt", "kcs"
 * or "bt+kcs") has its BMC on a VM-protocol socket at host:port (`port`, or `ports` in
 * the order of `iface`: our server listening), the serial console on stdio; with `qmp`
 * ("unix:/path"), QEMU's QMP socket there, for the server's QEMU_QMP. With `events`,
 * the guest then sets a threshold below a reading (an event for its driver to read) and
 * runs a bridged `mc info` for the satellite at 72h (init.sh). With `serial` (a port), its
 * second serial port connects to the server's HOST_SERIAL socket with a shell on it; with
 * `holdSerial` (seconds) too, the guest waits that long at most, after its steps, for that
 * shell to exit before it powers off (for SOL and Console page tests that type into it).
 */
export function guestArgs(
  guest,
  {
    host = "127.0.0.1",
    port,
    ports,
    shell = false,
    memoryMb = 256,
    qmp,
    iface = "bt",
    events = false,
    serial,
    holdSerial,
  },
) {
  const links = guestInterfaces(iface);
  const socketPorts = ports ?? [port];
  if (socketPorts.length !== links.length || socketPorts.some((p) => !Number.isInteger(p))) {
    throw new Error(`'${iface}' needs ${links.length} BMC port(s), got ${JSON.stringify(socketPorts)}`);
  }
  if (holdSerial !== undefined && (!serial || !Number.isInteger(holdSerial) || holdSerial <= 0)) {
    throw new Error(`holdSerial needs a serial port and whole seconds > 0, got ${holdSerial}`);
  }
  const ipmi = links.flatMap((link, i) => [
    "-chardev",
    `socket,id=ipmi${i},host=${host},port=${socketPorts[i]},reconnect=1`,
    "-device",
    `ipmi-bmc-extern,id=bmc${i},chardev=ipmi${i}`,
    "-device",
    // Both ISA interfaces default to IRQ 5 and an ISA line is not shared, so the second
    // takes IRQ 10 (no device of this -nodefaults machine raises it). Not irq=0: Linux's
    // ipmi_si only falls back to interfaces without an interrupt when none with one
    // registered (init_ipmi_si), so a polled second interface would never come up.
    `${GUEST_INTERFACES[link]},bmc=bmc${i}${i > 0 ? ",irq=10" : ""}`,
  ]);
  return [
    ...(qmp ? ["-qmp", `${qmp},server=on,wait=off`] : []),
    "-machine",
    `pc,accel=${guest.accel}`,
    "-m",
    String(memoryMb),
    "-smp",
    "1",
    "-nodefaults",
    "-display",
    "none",
    "-no-reboot",
    "-serial",
    "stdio",
    "-kernel",
    guest.kernel,
    "-initrd",
    guest.initrd,
    "-append",
    // The kernel's console stays ttyS0 (where init.sh's markers go): with a second console=
    // for ttyS1 nothing reached ttyS0 here (Linux 6.1, QEMU 7.2). init.sh copies the boot
    // messages to ttyS1 instead.
    `console=ttyS0 quiet panic=-1 guest.devices=${links.length}${events ? " guest.events=1" : ""}${serial ? " guest.serial=1" : ""}${holdSerial ? ` guest.hold=${holdSerial}` : ""}${shell ? " guest.after=shell" : ""}`,
    ...ipmi,
    // The guest's second serial port (ttyS1) is the host console the BMC owns: QEMU connects
    // it to the server's HOST_SERIAL socket, as a BMC's virtual UART is wired to the host's COM2.
    ...(serial
      ? [
          "-chardev",
          `socket,id=bmcserial,host=${host},port=${serial},reconnect=1`,
          "-serial",
          "chardev:bmcserial",
        ]
      : []),
  ];
}

/** Starts QEMU with the guest (see guestArgs); stdio as given. */
export function bootGuest(guest, options, stdio = ["ignore", "pipe", "pipe"]) {
  return spawn(guest.qemu, guestArgs(guest, options), { stdio });
}

/** The guest's serial output cut into the sections init.sh marks: { "mc info": { rc, text } }. */
export function parseGuestOutput(text) {
  const sections = {};
  const re = /=== BEGIN (.+?) ===\r?\n([\s\S]*?)=== END \1 rc=(\d+) ===/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    sections[m[1]] = { rc: Number(m[3]), text: m[2].replace(/\r/g, "") };
  return sections;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const guest = buildGuest();
    say(
      `ready in ${guest.preparedMs} ms: Linux ${guest.kernelVersion}, ${guest.qemuVersion}, accel ${guest.accel}\n` +
        `  kernel ${guest.kernel}\n  initrd ${guest.initrd}`,
    );
    if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(guest)}\n`);
  } catch (err) {
    if (err instanceof QemuUnavailable) {
      say(`QEMU cannot run here: ${err.message}`);
      if (process.argv.includes("--json"))
        process.stdout.write(`${JSON.stringify({ unavailable: err.message })}\n`);
      process.exit(3);
    }
    say(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
