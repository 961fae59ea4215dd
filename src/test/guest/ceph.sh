#!/bin/bash
# A one-node Ceph for tests (one mon, one mgr, one osd on a 4 GiB file), cephx on as real clusters
# run, everything under DIR; it listens on ADDR only: 127.0.0.1, or an address of its own put on
# the loopback link (label lo:kvmopceph, added here, removed by stop), which second nodes reach
# through their veth (second-node.sh routes 10.251.250.1 there) and nothing off this machine does.
#   ceph.sh start DIR ADDR   prints nothing on success; leaves in DIR:
#                              ceph.conf, ceph.client.admin.keyring (the tests' admin),
#                              client.kvmop.key (the key kvmop is given: caps "profile rbd" on
#                              pool kvmop-it only), and the pools kvmop-it and kvmop-other
#   ceph.sh stop DIR         kills the daemons of DIR (by their own pid files, each checked to be
#                            a ceph daemon of DIR first) and removes DIR
set -euo pipefail
cmd=$1 dir=$2

daemons_of() { # the pids of DIR's daemons: their command line names DIR's ceph.conf
  pgrep -f "ceph-(mon|osd|mgr) .*-c $dir/ceph.conf" || true
}

case $cmd in
start)
  addr=$3
  "$0" stop "$dir" >/dev/null 2>&1 || true
  mkdir -p "$dir"/{mon,osd0,mgr,run,log}
  if [ "$addr" != 127.0.0.1 ] && ! ip -o addr show dev lo | grep -q " inet $addr/"; then
    ip addr add "$addr/32" dev lo label lo:kvmopceph
  fi
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v1:$addr:6789
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/ceph.\$name.keyring
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
public addr = $addr
ms bind ipv4 = true
ms bind ipv6 = false
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd0
osd objectstore = bluestore
bluestore block path = $dir/osd0.block
bluestore block create = true
bluestore block size = 4294967296
osd max object name len = 256
osd max object namespace len = 64
[mgr.x]
mgr data = $dir/mgr
EOF
  c=(-c "$dir/ceph.conf")
  ceph-authtool --create-keyring "$dir/ceph.mon.a.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$dir/ceph.mon.a.keyring" --import-keyring "$dir/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --add a "v1:$addr:6789" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon "${c[@]}" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/ceph.mon.a.keyring" 2>/dev/null
  ceph-mon "${c[@]}" -i a
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph "${c[@]}" osd create "$osd_uuid" >/dev/null
  ceph-osd "${c[@]}" -i 0 --mkfs --mkkey --no-mon-config --osd-uuid "$osd_uuid" \
    --keyring "$dir/ceph.osd.0.keyring" 2>/dev/null
  ceph "${c[@]}" auth add osd.0 osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
    -i "$dir/ceph.osd.0.keyring" >/dev/null 2>&1
  ceph-osd "${c[@]}" -i 0 2>>"$dir/log/start.log"
  ceph "${c[@]}" auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
    -o "$dir/ceph.mgr.x.keyring" >/dev/null 2>&1
  ceph-mgr "${c[@]}" -i x 2>>"$dir/log/start.log"
  for _ in $(seq 1 120); do
    ceph "${c[@]}" osd stat 2>/dev/null | grep -q "1 up" && break
    sleep 0.5
  done
  for pool in kvmop-it kvmop-other; do
    ceph "${c[@]}" osd pool create "$pool" 8 >/dev/null 2>&1
    rbd "${c[@]}" pool init "$pool"
  done
  # kvmop's client: what docs/storage.md tells an admin to give it, on one pool
  ceph "${c[@]}" auth get-or-create client.kvmop mon 'profile rbd' osd 'profile rbd pool=kvmop-it' \
    mgr 'profile rbd pool=kvmop-it' >/dev/null
  ceph "${c[@]}" auth get-key client.kvmop >"$dir/client.kvmop.key"
  ;;
stop)
  for p in $(daemons_of); do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    [ -z "$(daemons_of)" ] && break
    sleep 0.1
  done
  for p in $(daemons_of); do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$dir"
  ip -o addr show dev lo label lo:kvmopceph | awk '{print $4}' | while read -r a; do
    ip addr del "$a" dev lo
  done
  ;;
*)
  echo "usage: $0 start DIR ADDR | stop DIR" >&2
  exit 2
  ;;
esac
