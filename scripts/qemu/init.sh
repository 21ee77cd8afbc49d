#!/bin/busybox sh
# /init of the test guest (scripts/qemu/guest.mjs builds the initramfs around it).
# Loads Linux's IPMI drivers, waits for /dev/ipmi0 (and /dev/ipmi1 with two interfaces),
# runs ipmitool against the BMC behind each of QEMU's BT or KCS interfaces, prints each
# command's output between markers on the serial console, then powers off (or, with
# guest.after=shell, gives a shell; with guest.serial=1 guest.hold=S, first waits up to S
# seconds for the shell on ttyS1 to exit, so SOL and the Console page can still use it).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /root
export HOME=/root

say() { echo "[guest $(cut -d' ' -f1 /proc/uptime)s] $*"; }
say "init started on Linux $(uname -r)"

for m in ipmi_msghandler ipmi_devintf ipmi_si; do
  insmod "/lib/modules/$m.ko" || say "insmod $m failed"
done
say "IPMI modules loaded"

# guest.devices=N: QEMU gave the guest N IPMI interfaces (bt+kcs: 2); each gets /dev/ipmiK.
# guest.events=1: afterwards, make the BMC raise an event and bridge a request (below).
# guest.serial=1: a shell on ttyS1 (below); guest.hold=S: wait for it before powering off.
devices=1
events=0
serial=0
hold=0
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    guest.devices=*) devices="${arg#guest.devices=}" ;;
    guest.events=1) events=1 ;;
    guest.serial=1) serial=1 ;;
    guest.hold=*) hold="${arg#guest.hold=}" ;;
  esac
done
last=/dev/ipmi$((devices - 1))
i=0
while [ ! -e "$last" ] && [ $i -lt 600 ]; do
  sleep 0.1
  i=$((i + 1))
done
if [ -e "$last" ]; then say "$last is there ($devices interface(s))"; else say "no $last after 60 s"; fi

echo "=== BEGIN dmesg ==="
dmesg | grep -i ipmi
echo "=== END dmesg rc=0 ==="

# guest.serial=1: ttyS1 is the host console the BMC owns (its HOST_SERIAL): a shell there,
# for the Console page and for SOL, until the guest powers off.
console_shell=""
if [ "$serial" = 1 ] && [ -e /dev/ttyS1 ]; then
  stty -F /dev/ttyS1 115200 sane 2>/dev/null
  dmesg > /dev/ttyS1
  echo "guest shell on ttyS1 (the BMC's console): try 'uname -a'" > /dev/ttyS1
  # setsid execs in place (this background child leads no process group), so $! is the
  # shell itself: the pid guest.hold waits for.
  setsid sh -c 'exec sh -i </dev/ttyS1 >/dev/ttyS1 2>&1' &
  console_shell=$!
  say "a shell on ttyS1 (the BMC's console line)"
fi

# run NAME DEVICE ARGS...: ipmitool on /dev/ipmiDEVICE, its output between markers.
run() {
  name="$1"
  dev="$2"
  shift 2
  say "ipmitool -d $dev $*"
  echo "=== BEGIN $name ==="
  ipmitool -I open -d "$dev" "$@" 2>&1
  rc=$?
  echo "=== END $name rc=$rc ==="
}

# The first interface's sections keep their plain names; the others' are prefixed "ipmiK ".
d=0
while [ $d -lt "$devices" ]; do
  prefix=""
  [ $d -gt 0 ] && prefix="ipmi$d "
  run "${prefix}mc info" $d mc info
  run "${prefix}sdr list" $d sdr list
  run "${prefix}sel list" $d sel list
  run "${prefix}chassis status" $d chassis status
  d=$((d + 1))
done

if [ "$events" = 1 ]; then
  # A threshold below the reading: the BMC asserts "upper non-critical going high" at
  # once, logs it in its SEL and puts it in the event message buffer (the driver enabled
  # it at load); SMS_ATN makes the driver read it (Get Message Flags, Read Event Message
  # Buffer). The pause gives it time to before the next command.
  last_dev=$((devices - 1))
  run "set threshold" $last_dev sensor thresh "System Temp" unc 20
  sleep 2
  # Bridging: the driver wraps Get Device ID for the satellite at 72h on IPMB (channel 0)
  # in Send Message and reads its answer with Get Message after SMS_ATN.
  run "bridged mc info" $last_dev -b 0 -t 0x72 mc info
fi

# guest.hold=S: the ttyS1 shell may still be in use (a test typing through SOL): wait
# until someone types 'exit' there, or S seconds, so a broken test cannot keep the VM up.
# `wait` rather than polling with kill -0: an exited child stays a zombie, and kill -0
# succeeds on a zombie until this shell reaps it.
if [ -n "$console_shell" ] && [ "$hold" -gt 0 ] 2>/dev/null; then
  say "waiting up to $hold s for the ttyS1 shell to exit"
  (sleep "$hold"; kill -KILL "$console_shell" 2>/dev/null) &
  timer=$!
  wait "$console_shell"
  status=$?
  kill "$timer" 2>/dev/null
  # An interactive shell exits 0 on 'exit'; killed by the timer, wait says 128+9.
  if [ "$status" = 137 ]; then say "the ttyS1 shell still ran after $hold s: killed it"; else say "the ttyS1 shell exited"; fi
fi

say "done"
echo "=== GUEST DONE ==="

case " $(cat /proc/cmdline) " in
  *" guest.after=shell "*)
    echo "A shell on the guest: try 'ipmitool -I open mc info'. 'poweroff -f' ends the VM."
    setsid cttyhack sh
    ;;
esac
poweroff -f
