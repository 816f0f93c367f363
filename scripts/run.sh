#!/usr/bin/env bash
# `make run`: the portal at http://127.0.0.1:5080 with the virtual lab as embedded default.
# Without ConnectionStrings__Portal a private PostgreSQL runs in .data/postgres and is
# stopped again when the portal exits (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data

if [[ -z "${ConnectionStrings__Portal:-}" ]]; then
  ConnectionStrings__Portal=$(scripts/postgres.sh start .data/postgres)
  export ConnectionStrings__Portal
  trap 'echo "stopping private PostgreSQL"; scripts/postgres.sh stop .data/postgres' EXIT
  # Bash runs the EXIT trap on a normal exit; these make Ctrl-C and kill end up there too
  # (deferred until the portal, which gets the same signal, has stopped).
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  echo "private PostgreSQL running from .data/postgres"
fi

# The certificate that encrypts the Data Protection key ring (BMC passwords, cookies): it must not
# live in the database, so a dump of it alone opens nothing. Created once, readable by us only.
if [[ -z "${DataProtection__KeyRingCertificate:-}" ]]; then
  export DataProtection__KeyRingCertificate=$PWD/.data/keyring.pem
  if [[ ! -s $DataProtection__KeyRingCertificate ]]; then
    (umask 077
     tmp=$(mktemp -d)
     openssl req -x509 -newkey rsa:3072 -nodes -days 36500 -subj '/CN=Portal key ring' \
       -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
     cat "$tmp/key.pem" "$tmp/cert.pem" > "$DataProtection__KeyRingCertificate"
     rm -rf "$tmp")
    chmod 600 "$DataProtection__KeyRingCertificate"
    echo "created the key ring certificate .data/keyring.pem (keep it: without it stored BMC passwords cannot be read)"
  fi
fi

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Portal__DataDirectory=${Portal__DataDirectory:-$PWD/.data}
export Lab__Enabled=${Lab__Enabled:-true}
# A fixed port keeps the lab's discovery source valid from one run to the next.
export Lab__Port=${Lab__Port:-8443}
# Where machines reach this portal: stored in every script and config it renders (never taken from
# a request's Host header). The lab's simulated machines use 127.0.0.1; VMs (LAB_VMS) QEMU's 10.0.2.2.
export Netboot__PublicBaseUrl=${Netboot__PublicBaseUrl:-http://127.0.0.1:5080}
# Every lab machine that is not VM-backed netboots from this portal with the lab's simulated
# firmware and installer (src/Lab/README.md, "Simulated netboot"). Lab__SimulatedNetbootUrl= turns it off.
export Lab__SimulatedNetbootUrl=${Lab__SimulatedNetbootUrl-http://127.0.0.1:5080}
# The built-in Ubuntu and Lab installer profiles boot kernels from /boot-files/. Where none were
# put, placeholders let the simulated machines download them (they are never executed); a real
# machine must not be netbooted against this folder.
if [[ -z "${Netboot__BootFilesDirectory:-}" ]]; then
  export Netboot__BootFilesDirectory=$PWD/.data/boot-files
  for f in lab-installer/vmlinuz lab-installer/initrd.img ubuntu-24.04/vmlinuz ubuntu-24.04/initrd; do
    if [[ ! -e "$Netboot__BootFilesDirectory/$f" ]]; then
      mkdir -p "$(dirname "$Netboot__BootFilesDirectory/$f")"
      echo "placeholder for the lab's simulated firmware (make run); not a bootable image" > "$Netboot__BootFilesDirectory/$f"
    fi
  done
fi
# LAB_VMS=N: the first N lab systems are QEMU VMs (alternately UEFI with OVMF and BIOS with
# SeaBIOS) that netboot this portal with iPXE and run the real lab installer from /boot-files/.
if [[ ${LAB_VMS:-0} != 0 ]]; then
  [[ $LAB_VMS =~ ^[0-9]+$ ]] || { echo "LAB_VMS must be a number of VMs, not '$LAB_VMS'" >&2; exit 2; }
  scripts/build-lab-installer.sh "$Netboot__BootFilesDirectory/lab-installer"
  export Lab__VmBackedCount=$LAB_VMS
  export Lab__NetbootUrl=${Lab__NetbootUrl:-http://10.0.2.2:5080/boot.ipxe}
  export Netboot__AlsoReachableAt__0=${Netboot__AlsoReachableAt__0:-http://10.0.2.2:5080}
  export Lab__VmDiskImage=${Lab__VmDiskImage:-$Netboot__BootFilesDirectory/lab-installer/disk.img}
  echo "lab: the first $LAB_VMS systems are QEMU VMs; their consoles are in $Portal__DataDirectory/lab/vm/"
fi
dotnet build src/Portal/Portal.csproj --nologo --verbosity quiet
# Not `exec`: the EXIT trap above must run after the portal stops. The portal runs as a child that
# this script waits for and passes Ctrl-C, kill and hang-up on to (as TERM: a background child of a
# script ignores SIGINT), so stopping the script alone never leaves the portal running without its database.
dotnet run --no-build --project src/Portal/Portal.csproj --urls http://127.0.0.1:5080 &
portal=$!
trap 'kill -TERM "$portal" 2>/dev/null; wait "$portal"; exit 143' TERM HUP
trap 'kill -TERM "$portal" 2>/dev/null; wait "$portal"; exit 130' INT
wait "$portal" || true
