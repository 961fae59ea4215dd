#!/usr/bin/env bash
# Prepares a Debian 12 host (as root) for kvmop and its tests: installs libvirt, QEMU, dnsmasq
# and the build tools when missing, then starts libvirtd and virtlogd when they are not running
# (there may be no systemd, as in containers and CI).
set -euo pipefail

packages=(libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients libvirt0 qemu-system-x86
  qemu-utils dnsmasq-base ovmf iptables iproute2 cpio openjdk-17-jdk-headless maven
  lua5.4 openssh-client # only the tests use these: the Argo CD health checks in argocd/, kvmop ssh
  qemu-block-extra libvirt-daemon-driver-storage-rbd ceph-common # RBD disks (docs/storage.md)
  ceph-mon ceph-osd ceph-mgr) # only the tests use these: their one-node Ceph (src/test/guest/ceph.sh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "host-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" libvirt-daemon-driver-storage-rbd "* ]] && pgrep -x libvirtd >/dev/null; then
    echo "host-setup: libvirtd was running before its RBD driver was installed: restart it to use RBD pools"
  fi
fi

# What udev does on a standard Debian host (KERNEL=="kvm", GROUP="kvm", MODE="0660"); without
# udev (containers, CI) /dev/kvm stays root:root 0600, QEMU (user libvirt-qemu, group kvm) cannot
# open it, and libvirt keeps re-probing QEMU's capabilities: domain starts then take 5 to 85 s
# instead of under 1 s. kvmop still checks the CPU flags before it uses KVM.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
  chgrp kvm /dev/kvm && chmod 660 /dev/kvm
fi

mkdir -p /run/libvirt
if ! pgrep -x virtlogd >/dev/null; then
  virtlogd -d
fi
if ! pgrep -x libvirtd >/dev/null; then
  libvirtd -d
fi
for _ in $(seq 1 50); do
  if virsh --connect=qemu:///system version >/dev/null 2>&1; then
    echo "host-setup: libvirtd is up ($(virsh --connect=qemu:///system version | grep -i 'running hypervisor' || true))"
    exit 0
  fi
  sleep 0.2
done
echo "host-setup: libvirtd did not answer on qemu:///system" >&2
exit 1
