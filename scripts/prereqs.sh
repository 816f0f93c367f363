#!/usr/bin/env bash
# Installs what `make run` / `make test` / `make bench` need on a fresh Debian machine.
# Only missing things are installed; a second run does nothing but a quick check.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

apt_packages=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] || apt_packages+=(postgresql)
command -v python3 >/dev/null || apt_packages+=(python3)
command -v openssl >/dev/null || apt_packages+=(openssl)   # make run creates the key ring certificate
if [[ $purpose == test || $purpose == bench ]]; then
  command -v chromium >/dev/null || apt_packages+=(chromium)
fi
# QEMU machines: SeaBIOS and OVMF (UEFI) with iPXE in the NIC's option ROM; cpio, mtools and
# syslinux build the lab installer and its disk (scripts/build-lab-installer.sh).
if [[ $purpose == test || $purpose == bench || ${LAB_VMS:-0} != 0 ]]; then
  command -v qemu-system-x86_64 >/dev/null || apt_packages+=(qemu-system-x86)
  [[ -e /usr/lib/ipxe/qemu/efi-virtio.rom || -e /usr/share/qemu/pxe-virtio.rom ]] || apt_packages+=(ipxe-qemu)
  [[ -e /usr/share/OVMF/OVMF_CODE_4M.fd || -e /usr/share/OVMF/OVMF_CODE.fd ]] || apt_packages+=(ovmf)
  command -v cpio >/dev/null || apt_packages+=(cpio)
  command -v mformat >/dev/null || apt_packages+=(mtools)
  command -v syslinux >/dev/null || apt_packages+=(syslinux syslinux-common)
  [[ -e /usr/lib/systemd/boot/efi/systemd-bootx64.efi ]] || apt_packages+=(systemd-boot-efi)
fi
# Netboot on a real network (Netboot__Dhcp__Mode Proxy/Full) and the tests that prove it in network
# namespaces: dnsmasq (DHCP, proxyDHCP, TFTP), Debian's iPXE builds (undionly.kpxe, ipxe.efi), iproute2.
if [[ $purpose == test || ${Netboot__Dhcp__Mode:-Off} != Off ]]; then
  command -v dnsmasq >/dev/null || [[ -x /usr/sbin/dnsmasq ]] || apt_packages+=(dnsmasq-base)
  [[ -e /usr/lib/ipxe/ipxe.efi && -e /usr/lib/ipxe/undionly.kpxe ]] || apt_packages+=(ipxe)
  command -v ip >/dev/null || [[ -x /usr/sbin/ip ]] || apt_packages+=(iproute2)
fi
# The tests play a server's own BIOS PXE ROM with busybox udhcpc and curl's TFTP.
if [[ $purpose == test ]]; then
  command -v busybox >/dev/null || apt_packages+=(busybox)
  command -v curl >/dev/null || apt_packages+=(curl)
fi
if [[ $purpose == bench ]]; then
  command -v wrk >/dev/null || apt_packages+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt_packages+=(nginx-light)
fi

if ((${#apt_packages[@]})); then
  echo "prereqs: installing ${apt_packages[*]}"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || echo "prereqs: apt-get update failed, trying with the current lists"
  $sudo apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"
fi

dotnet restore Portal.sln --verbosity quiet
