#!/bin/bash
# A second KVM "node" on this machine, for tests: a libvirtd (and virtlogd) in their own mount and
# network namespaces, joined to the host by a veth pair (traffic never leaves this machine).
#   second-node.sh start DIR HOST_ADDR NODE_ADDR   prints the namespace holder's pid
#   second-node.sh stop DIR
# Inside, these are the node's own (bind-mounted from DIR): /run/libvirt, /var/lib/libvirt,
# /etc/libvirt, /var/log/libvirt, /var/cache/libvirt, and each path in
# SECOND_NODE_PRIVATE (space-separated). Its libvirtd's socket is DIR/sock/libvirt-sock.
set -euo pipefail
cmd=$1 dir=$2
veth=kvmopv$(echo -n "$dir" | md5sum | cut -c1-6)
case $cmd in
start)
  host_addr=$3 node_addr=$4
  "$0" stop "$dir" >/dev/null 2>&1 || true
  if ip -o addr show | grep -q " inet $host_addr/"; then
    echo "$host_addr is already on an interface (another second node still running?)" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir"/{run,lib/qemu,lib/network,lib/dnsmasq,log,cache,sock,priv}
  cp -a /etc/libvirt "$dir/etc"
  printf 'unix_sock_dir = "%s"\nhost_uuid = "%s"\n' "$dir/sock" "$(cat /proc/sys/kernel/random/uuid)" \
    >> "$dir/etc/libvirtd.conf"
  i=0; binds=""
  for p in ${SECOND_NODE_PRIVATE:-}; do
    mkdir -p "$dir/priv/$i" "$p"; binds="$binds mount --bind $dir/priv/$i $p;"; i=$((i+1))
  done
  setsid unshare -m -n --propagation private bash -c "
    mount --bind $dir/run /run/libvirt
    mount --bind $dir/lib /var/lib/libvirt
    mount --bind $dir/etc /etc/libvirt
    mkdir -p /var/log/libvirt /var/cache/libvirt
    mount --bind $dir/log /var/log/libvirt
    mount --bind $dir/cache /var/cache/libvirt
    $binds
    ip link set lo up
    virtlogd -d -p $dir/virtlogd.pid
    libvirtd -d -p $dir/libvirtd.pid -f /etc/libvirt/libvirtd.conf
    echo \$\$ > $dir/holder.pid
    exec sleep infinity" </dev/null >"$dir/holder.log" 2>&1 &
  for _ in $(seq 100); do [ -S "$dir/sock/libvirt-sock" ] && [ -s "$dir/holder.pid" ] && break; sleep 0.1; done
  pid=$(cat "$dir/holder.pid")
  readlink "/proc/$pid/ns/net" > "$dir/netns"   # stop finds the node's processes by it
  ip link add "$veth" type veth peer name "${veth}n"
  ip link set "${veth}n" netns "$pid"
  ip addr add "$host_addr/30" dev "$veth"
  ip link set "$veth" up
  nsenter -t "$pid" -n ip addr add "$node_addr/30" dev "${veth}n"
  nsenter -t "$pid" -n ip link set "${veth}n" up
  # the tests' Ceph listens on an address of the host (ceph.sh): the node reaches it, and only it,
  # through the veth
  nsenter -t "$pid" -n ip route add "${SECOND_NODE_CEPH:-10.251.250.1}/32" via "$host_addr"
  for _ in $(seq 100); do virsh -c "qemu+unix:///system?socket=$dir/sock/libvirt-sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  echo "$pid"
  ;;
stop)
  # everything of the node runs in its network namespace: libvirtd, virtlogd, the agent, dnsmasq
  # and the guests (QEMU gets a mount namespace of its own from libvirt, but keeps the network one)
  ns=""
  [ -s "$dir/netns" ] && ns=$(cat "$dir/netns")
  [ -z "$ns" ] && [ -s "$dir/holder.pid" ] && ns=$(readlink "/proc/$(cat "$dir/holder.pid")/ns/net" 2>/dev/null || true)
  if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/net)" ]; then
    for _ in 1 2 3; do
      left=""
      for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && left="$left ${p#/proc/}"
      done
      [ -z "$left" ] && break
      kill -9 $left 2>/dev/null || true
      sleep 0.3
    done
  fi
  # never a pid from a file: pids wrap (pid_max is 32768 here) and the one in a file left by an
  # earlier run may belong to anyone now (it once killed the test JVM); the namespace's own
  # processes were found above
  rm -f "$dir/libvirtd.pid" "$dir/virtlogd.pid" "$dir/holder.pid"
  ip link del "$veth" 2>/dev/null || true
  rm -f "$dir/netns"
  ;;
esac
