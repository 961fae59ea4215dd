#!/usr/bin/env bash
# What the test run found, and what it leaves: nothing running or defined that it created.
#   leftovers.sh daemons STATE  records the daemons already running (before host-setup starts them)
#   leftovers.sh before STATE   records the libvirt objects already there
#   leftovers.sh after STATE    removes what the tests created (second nodes with their guests and
#                               dnsmasq, test domains, networks, pools, secrets, tunnels, the
#                               test Ceph) and stops the
#                               daemons the run started; what was there before is left alone
set -uo pipefail
cmd=$1 state=$2
cd "$(dirname "$0")/.."
names() { virsh -q "$@" 2>/dev/null | sed 's/^[[:space:]]*//; s/[[:space:]]*$//; /^$/d' | LC_ALL=C sort; }

case $cmd in
daemons)
  mkdir -p "$state"
  : >"$state/daemons"
  for d in libvirtd virtlogd; do pgrep -x "$d" >/dev/null && echo "$d" >>"$state/daemons"; done
  ;;
before)
  mkdir -p "$state"
  names list --all --name >"$state/domains"
  names net-list --all --name >"$state/networks"
  names pool-list --all --name >"$state/pools"
  virsh -q secret-list 2>/dev/null | awk '{print $1}' | LC_ALL=C sort >"$state/secrets"
  ;;
after)
  # the second nodes (src/test/guest/second-node.sh), then any of their processes that outlived
  # their namespace holder: a test guest or dnsmasq in a network namespace not the host's
  for d in /tmp/kvmop-it-node-*; do
    [ -d "$d" ] && bash src/test/guest/second-node.sh stop "$d" >/dev/null 2>&1
  done
  host_ns=$(readlink /proc/self/ns/net)
  for p in $(pgrep -f 'qemu-system.*guest=kvmop-|dnsmasq.*kvmop-' || true); do
    [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" != "$host_ns" ] && kill -9 "$p" 2>/dev/null
  done
  if [ -e "$state/pools" ] && virsh version >/dev/null 2>&1; then
    for dom in $(LC_ALL=C comm -13 "$state/domains" <(names list --all --name)); do
      virsh destroy "$dom" >/dev/null 2>&1
      virsh undefine "$dom" --nvram --snapshots-metadata >/dev/null 2>&1 \
        || virsh undefine "$dom" >/dev/null 2>&1
      echo "leftovers: removed domain $dom"
    done
    for net in $(LC_ALL=C comm -13 "$state/networks" <(names net-list --all --name)); do
      virsh net-destroy "$net" >/dev/null 2>&1
      virsh net-undefine "$net" >/dev/null 2>&1
      echo "leftovers: removed network $net"
    done
    for pool in $(LC_ALL=C comm -13 "$state/pools" <(names pool-list --all --name)); do
      for vol in $(virsh -q vol-list "$pool" 2>/dev/null | awk '{print $1}'); do
        virsh vol-delete "$vol" --pool "$pool" >/dev/null 2>&1
      done
      virsh pool-destroy "$pool" >/dev/null 2>&1
      virsh pool-delete "$pool" >/dev/null 2>&1
      virsh pool-undefine "$pool" >/dev/null 2>&1
      echo "leftovers: removed pool $pool"
    done
    if [ -e "$state/secrets" ]; then
      for sec in $(LC_ALL=C comm -13 "$state/secrets" \
        <(virsh -q secret-list 2>/dev/null | awk '{print $1}' | LC_ALL=C sort)); do
        virsh secret-undefine "$sec" >/dev/null 2>&1 && echo "leftovers: removed secret $sec"
      done
    fi
  fi
  # the tests' Ceph (src/test/guest/ceph.sh), should a test JVM have died before stopping it
  [ -d /tmp/kvmop-it-ceph ] && bash src/test/guest/ceph.sh stop /tmp/kvmop-it-ceph \
    && echo "leftovers: stopped the test Ceph"
  for a in $(ip -o addr show dev lo label lo:kvmopceph | awk '{print $4}'); do
    ip addr del "$a" dev lo && echo "leftovers: removed the test Ceph's address $a"
  done
  for dev in $(ip -br link show type vxlan 2>/dev/null | awk '{print $1}' | cut -d@ -f1); do
    [[ $dev =~ ^kvx[0-9a-f]{8}$ ]] && ip link delete dev "$dev" && echo "leftovers: removed $dev"
  done
  for d in virtlogd libvirtd; do
    if [ -e "$state/daemons" ] && ! grep -qx "$d" "$state/daemons" && pgrep -x "$d" >/dev/null; then
      [ "$d" = libvirtd ] && virsh list --name 2>/dev/null | grep -q . \
        && { echo "leftovers: libvirtd still runs domains it did not start for the tests; kept"; continue; }
      pkill -x "$d"
    fi
  done
  rm -rf "$state"
  ;;
esac
exit 0
