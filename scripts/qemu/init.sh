#!/bin/busybox sh
# /init of the test guest (scripts/qemu/guest.mjs builds the initramfs around it).
# Loads Linux's IPMI drivers, waits for /dev/ipmi0, runs ipmitool against the BMC
# behind QEMU's BT or KCS interface, prints each command's output between markers on the
# serial console, then powers off (or, with guest.after=shell, gives a shell).
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

i=0
while [ ! -e /dev/ipmi0 ] && [ $i -lt 600 ]; do
  sleep 0.1
  i=$((i + 1))
done
if [ -e /dev/ipmi0 ]; then say "/dev/ipmi0 is there"; else say "no /dev/ipmi0 after 60 s"; fi

echo "=== BEGIN dmesg ==="
dmesg | grep -i ipmi
echo "=== END dmesg rc=0 ==="

run() {
  name="$1"
  shift
  say "ipmitool $*"
  echo "=== BEGIN $name ==="
  ipmitool -I open "$@" 2>&1
  rc=$?
  echo "=== END $name rc=$rc ==="
}

run "mc info" mc info
run "sdr list" sdr list
run "sel list" sel list
run "chassis status" chassis status

say "done"
echo "=== GUEST DONE ==="

case " $(cat /proc/cmdline) " in
  *" guest.after=shell "*)
    echo "A shell on the guest: try 'ipmitool -I open mc info'. 'poweroff -f' ends the VM."
    setsid cttyhack sh
    ;;
esac
poweroff -f
