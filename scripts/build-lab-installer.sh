#!/usr/bin/env bash
# Builds the "lab installer": a tiny Linux kernel + initrd made only from Debian packages, used
# with QEMU machines so the whole netboot chain (iPXE -> kernel/initrd -> config fetch ->
# phone-home events) runs here without a real OS installer.
#
#   scripts/build-lab-installer.sh OUTDIR     -> OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/disk.img
#
# The /init it builds: loads the virtio network modules, gets an address with udhcpc, reads
# portal.ks= and portal.events= from /proc/cmdline, fetches the config, posts pre (with a
# few facts) / progress / post / done events as JSON, then powers the VM off.
#
# disk.img is the "installed system" a lab VM boots from its disk: a FAT volume with the same
# kernel and initrd, bootable by SeaBIOS (SYSLINUX) and by OVMF (systemd-boot as the removable
# media loader), starting them with portal.installed=1. /init then says so on the console and
# keeps running, as an installed OS would. The lab attaches it read-only to every VM.
#
# Downloads are cached under .data/cache/lab-installer, so a rerun is instant and works
# offline; the binaries are never committed (.data/ is gitignored).
set -euo pipefail

out=${1:?usage: $0 OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.data/cache/lab-installer"
mkdir -p "$cache" "$out"
out=$(cd "$out" && pwd)

# Bump when the initrd layout or /init changes, so cached outputs are rebuilt.
layout_version=5
# What the VM's virtio NIC needs. busybox insmod does not resolve dependencies, so the list is
# put in dependency order below from each module's own "depends=" field.
wanted_modules=(virtio_pci virtio_net)

sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
log() { echo "build-lab-installer: $*" >&2; }

# --- 1. Packages: reuse the cached .debs; ask apt only when one is missing. ----------------
find_deb() { ls -1 "$cache"/"$1"_*.deb 2>/dev/null | sort -V | tail -n1; }
kernel_deb=$(ls -1 "$cache"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | grep -v -- '-dbg_\|-unsigned_' | sort -V | tail -n1 || true)
busybox_deb=$(find_deb busybox-static || true)

if [[ -z "$kernel_deb" || -z "$busybox_deb" ]]; then
  # The meta-package names the current ABI (e.g. linux-image-6.1.0-56-cloud-amd64); apt only
  # knows it once its lists exist, so run `apt-get update` the first time if needed.
  resolve_kernel() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
  kernel_pkg=$(resolve_kernel || true)
  if [[ -z "$kernel_pkg" ]] || ! apt-cache show busybox-static >/dev/null 2>&1; then
    log "apt lists missing, running apt-get update"
    $sudo apt-get update -qq
    kernel_pkg=$(resolve_kernel)
  fi
  [[ -n "$kernel_pkg" ]] || { log "cannot resolve linux-image-cloud-amd64 to a kernel package"; exit 1; }
  log "downloading $kernel_pkg busybox-static"
  # apt drops privileges to _apt for downloads; let it write into the cache folder.
  chmod 0777 "$cache" 2>/dev/null || true
  (cd "$cache" && apt-get download -q "$kernel_pkg" busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  kernel_deb=$(find_deb "$kernel_pkg")
  busybox_deb=$(find_deb busybox-static)
  [[ -n "$kernel_deb" && -n "$busybox_deb" ]] || { log "apt-get download failed"; exit 1; }
fi

# --- 2. Up to date? Outputs record what they were built from. -----------------------------
stamp="$(basename "$kernel_deb") $(basename "$busybox_deb") layout=$layout_version $(sha256sum "$0" | cut -c1-16)"
if [[ -f "$out/vmlinuz" && -f "$out/initrd.img" && -f "$out/disk.img" && -f "$out/.lab-installer-stamp" && "$(cat "$out/.lab-installer-stamp")" == "$stamp" ]]; then
  log "up to date: $out"
  exit 0
fi

# --- 3. Unpack and assemble the initrd tree. ------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$kernel_deb" "$work/kernel"
dpkg-deb -x "$busybox_deb" "$work/busybox"

vmlinuz=$(ls -1 "$work"/kernel/boot/vmlinuz-* | head -n1)
kver=${vmlinuz##*/vmlinuz-}
moddir="$work/kernel/lib/modules/$kver"
[[ -d "$moddir" ]] || moddir="$work/kernel/usr/lib/modules/$kver"

tree="$work/initrd"
mkdir -p "$tree"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,usr/share/udhcpc}
cp "$work/busybox/bin/busybox" "$tree/bin/busybox"

modules=()
add_module() { # depth-first: dependencies first, each module once
  local m=$1 f dep
  [[ " ${modules[*]} " == *" $m "* ]] && return
  [[ -f "$tree/lib/modules/$m.ko" ]] || {
    # Debian may ship modules plain or compressed (.ko.xz / .ko.zst); busybox insmod loads
    # only plain ELF objects, so decompress here.
    f=$(find "$moddir" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) | head -n1)
    [[ -n "$f" ]] || { log "module $m not found in $kver"; exit 1; }
    case "$f" in
      *.ko) cp "$f" "$tree/lib/modules/$m.ko" ;;
      *.ko.xz) xz -dc "$f" > "$tree/lib/modules/$m.ko" ;;
      *.ko.zst) zstd -qdc "$f" > "$tree/lib/modules/$m.ko" ;;
      *.ko.gz) gzip -dc "$f" > "$tree/lib/modules/$m.ko" ;;
    esac
  }
  for dep in $(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$tree/lib/modules/$m.ko" | head -n1 | cut -d= -f2 | tr ',-' ' _'); do
    add_module "$dep"
  done
  modules+=("$m")
}
for m in "${wanted_modules[@]}"; do add_module "$m"; done
printf '%s\n' "${modules[@]}" > "$tree/etc/modules"
log "modules: ${modules[*]}"

# udhcpc only obtains a lease; this script applies it.
cat > "$tree/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
esac
exit 0
EOF

cat > "$tree/init" <<'EOF'
#!/bin/busybox sh
# Portal lab installer: fetch the config, report facts/progress/post/done, power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

say() { echo "lab-installer: $*" > /dev/console; }
halt_now() { say "powering off"; sync; poweroff -f; sleep 5; reboot -f; }

# /etc/modules is in dependency order; a second pass covers any order the build got wrong.
for pass in 1 2; do
  for m in $(cat /etc/modules); do
    grep -q "^$m " /proc/modules || insmod "/lib/modules/$m.ko" 2>/dev/null || [ $pass = 1 ] || say "insmod $m failed"
  done
done

KS=""; EVENTS=""; INSTALLED=""
for word in $(cat /proc/cmdline); do
  case "$word" in
    portal.ks=*) KS="${word#portal.ks=}" ;;
    portal.events=*) EVENTS="${word#portal.events=}" ;;
    portal.installed=*) INSTALLED=1 ;;
  esac
done
if [ -n "$INSTALLED" ]; then
  # Started from the VM's disk: the "installed system". It stays up until the BMC powers it off.
  say "booted from disk: the installed system is running"
  while :; do sleep 3600; done
fi
[ -n "$KS" ] && [ -n "$EVENTS" ] || { say "portal.ks= or portal.events= missing on the kernel command line"; halt_now; }

# The first NIC that is not loopback; wait for the driver to create it.
iface=""
for i in 1 2 3 4 5 6 7 8 9 10; do
  iface=$(ls /sys/class/net | grep -v '^lo$' | head -n1)
  [ -n "$iface" ] && break
  sleep 1
done
[ -n "$iface" ] || { say "no network interface"; halt_now; }
ip link set lo up
ip link set "$iface" up
udhcpc -i "$iface" -q -n -t 10 -T 2 -s /usr/share/udhcpc/default.script >/dev/null 2>&1 || { say "DHCP failed on $iface"; halt_now; }

# busybox 1.35's wget crashes on -T, hence the timeout applet around each wget.
event() { # event PHASE MESSAGE [PERCENT] [FACTS_JSON]
  body="{\"phase\":\"$1\",\"message\":\"$2\""
  [ -n "$3" ] && body="$body,\"percent\":$3"
  [ -n "$4" ] && body="$body,\"facts\":$4"
  body="$body}"
  err=$(timeout 20 wget -q -O /dev/null --header "Content-Type: application/json" --post-data "$body" "$EVENTS" 2>&1) \
    || say "event $1 not delivered: $err"
}

if ! err=$(timeout 20 wget -q -O /tmp/portal.conf "$KS" 2>&1); then
  say "config fetch failed: $KS: $err"; say "$(ip addr show "$iface"; ip route)"
  event failed "lab installer could not fetch its config"
  halt_now
fi
# The config is key=value lines rendered by the portal with shell quoting.
. /tmp/portal.conf

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1 | tr -d '"\\')
threads=$(grep -c '^processor' /proc/cpuinfo)
mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB$/\1/p' /proc/meminfo)
mac=$(cat "/sys/class/net/$iface/address")
facts="{\"cpu_model\":\"$cpu\",\"cpu_threads\":$threads,\"memory_bytes\":$((mem_kib * 1024)),\"nics\":[{\"name\":\"$iface\",\"mac\":\"$mac\"}]}"

event pre "lab installer started on ${PORTAL_HOSTNAME:-unknown}" "" "$facts"
sleep "${PORTAL_INSTALL_SECONDS:-1}"
event progress "installing" 50
sleep "${PORTAL_INSTALL_SECONDS:-1}"
event post "installed (a wipe profile reports post once its disks are wiped)" 90
event done "lab installer finished for ${PORTAL_HOSTNAME:-unknown}" 100
halt_now
EOF
chmod 0755 "$tree/init" "$tree/usr/share/udhcpc/default.script"

# --- 4. Pack. newc is the cpio format the kernel unpacks; fixed owner keeps it reproducible. -
(cd "$tree" && find . -print0 | sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9n > "$work/initrd.img"
cp "$vmlinuz" "$work/vmlinuz"

# --- 5. The disk: one FAT volume without a partition table, bootable under BIOS and UEFI. ------
efi_loader=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
if ! command -v mformat >/dev/null || ! command -v syslinux >/dev/null || [[ ! -f $efi_loader ]]; then
  log "installing mtools syslinux systemd-boot-efi (to build the lab disk)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mtools syslinux syslinux-common systemd-boot-efi >&2 \
    || { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mtools syslinux syslinux-common systemd-boot-efi >&2; }
fi
installed_args="console=ttyS0 portal.installed=1"
disk="$work/disk.img"
truncate -s 32M "$disk"
mformat -i "$disk" -T 65536 -h 64 -s 32 -v LABDISK ::
syslinux --install "$disk"
mmd -i "$disk" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
mcopy -i "$disk" "$efi_loader" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$disk" "$work/vmlinuz" ::/vmlinuz
mcopy -i "$disk" "$work/initrd.img" ::/initrd.img
printf 'DEFAULT installed\nPROMPT 0\nTIMEOUT 0\nLABEL installed\n  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n' "$installed_args" \
  | mcopy -i "$disk" - ::/syslinux.cfg
printf 'timeout 0\ndefault installed.conf\n' | mcopy -i "$disk" - ::/loader/loader.conf
printf 'title Portal lab installed system\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$installed_args" \
  | mcopy -i "$disk" - ::/loader/entries/installed.conf

mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initrd.img" "$out/initrd.img"
mv -f "$disk" "$out/disk.img"
echo "$stamp" > "$out/.lab-installer-stamp"
log "built $out/vmlinuz ($kver), $out/initrd.img ($(du -h "$out/initrd.img" | cut -f1)) and $out/disk.img"
