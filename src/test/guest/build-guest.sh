#!/usr/bin/env bash
# Builds kvmop's tiny test guest from Debian packages only: the Debian cloud kernel and a busybox
# initramfs that loads virtio networking, asks for a DHCP lease on eth0 and prints what it gets on
# the serial console, and runs qemu-guest-agent when the domain has the agent channel (so that
# addresses and a graceful shutdown can go through the agent), loads virtio_balloon (so that memory
# can change while it runs), and reports its virtio disks: size,
# the first bytes of each, and the cloud-init seed's meta-data when a disk is labelled cidata; then
# a TCP echo service on port 7 (for kvmop port-forward), dropbear on port 22 taking the seed's
# ssh_authorized_keys for root (for kvmop ssh) and a shell on the serial console (for kvmop console).
# Cached: a second run with the same
# kernel version and recipe revision does nothing.
#
#   build-guest.sh [DIR]     (default /var/lib/kvmop/images/test-guest)
#
# Prints the directory holding vmlinuz and initrd.gz.
set -euo pipefail
out_root="${1:-/var/lib/kvmop/images/test-guest}"

meta=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
if [ -z "$meta" ]; then
  apt-get update -qq >/dev/null
  meta=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
fi
kver=${meta#linux-image-}
recipe=r8
out="$out_root/$kver-$recipe"
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.gz" ] && [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi
command -v cpio >/dev/null || apt-get install -y -qq --no-install-recommends cpio >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "$meta" busybox-static qemu-guest-agent dropbear-bin \
  libtomcrypt1 libtommath1 libgmp10 >/dev/null)
mkdir -p "$work/x"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done

root="$work/initramfs"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,lib/modules}
cp "$work/x/bin/busybox" "$root/bin/busybox"
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_console virtio_blk virtio_balloon cdrom isofs"
for m in $modules; do
  f=$(find "$work/x/lib/modules/$kver" -name "$m.ko*" | head -n 1)
  [ -n "$f" ] || { echo "module $m not found in $meta" >&2; exit 1; }
  case "$f" in
    *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
  esac
done

# qemu-ga with the shared libraries it needs, at the paths the loader expects
cp "$work/x/usr/sbin/qemu-ga" "$root/bin/qemu-ga"
for lib in $(ldd "$work/x/usr/sbin/qemu-ga" | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}'); do
  cp --parents -L "$lib" "$root"
done
# dropbear, the ssh server, likewise; root logs in with the keys of the cloud-init seed's user-data
cp "$work/x/usr/sbin/dropbear" "$root/bin/dropbear"
# its libraries: from the packages downloaded with it (libtomcrypt, libtommath, which a build host
# rarely has), else from the build host, at the paths the loader expects
mkdir -p "$root/lib/x86_64-linux-gnu"
for lib in $(LD_LIBRARY_PATH="$work/x/usr/lib/x86_64-linux-gnu" ldd "$work/x/usr/sbin/dropbear" \
    | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}'); do
  case "$lib" in
    "$work"/*) cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
    *) cp --parents -L "$lib" "$root" ;;
  esac
done
mkdir -p "$root/root/.ssh" "$root/etc/dropbear"
chmod 700 "$root/root" "$root/root/.ssh"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
echo '/bin/sh' > "$root/etc/shells"
# guest-shutdown runs /sbin/shutdown: power off at once
cat > "$root/sbin/shutdown" <<'SHUTDOWN'
#!/bin/sh
echo "kvmop-guest: shutdown requested"
sync
echo o > /proc/sysrq-trigger
SHUTDOWN
chmod 755 "$root/sbin/shutdown"

cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "kvmop-guest: init running"
for m in $modules; do insmod /lib/modules/\$m.ko; done
ip link set lo up
ip link set eth0 up
# keep asking until a lease comes, then keep renewing in the background
udhcpc -i eth0 -s /etc/udhcpc.script -b -t 0 -T 2 -A 2
for p in /sys/class/virtio-ports/*; do
  if [ -f "\$p/name" ] && [ "\$(cat \$p/name)" = org.qemu.guest_agent.0 ]; then
    mkdir -p /var/run
    /bin/qemu-ga -m virtio-serial -p /dev/\$(basename \$p) -d -t /run
    echo "kvmop-guest: qemu-ga on /dev/\$(basename \$p)"
  fi
done
# disks: size, whether read-only, the first bytes, and a cloud-init seed's meta-data
sleep 1
for d in /sys/block/vd*; do
  [ -e "\$d" ] || continue
  n=\$(basename \$d)
  echo "kvmop-guest: disk \$n sectors=\$(cat \$d/size) ro=\$(cat \$d/ro)"
  label=\$(dd if=/dev/\$n bs=1 skip=32808 count=6 2>/dev/null)
  if [ "\$label" = CIDATA ] || [ "\$label" = cidata ]; then
    mkdir -p /mnt/\$n
    if mount -t iso9660 -o ro /dev/\$n /mnt/\$n; then
      echo "kvmop-guest: seed \$n files: \$(ls /mnt/\$n | tr '\\n' ' ')"
      echo "kvmop-guest: seed \$n \$(grep instance-id /mnt/\$n/meta-data)"
      grep -o 'ssh-[a-z0-9-]* [A-Za-z0-9+/=]*' /mnt/\$n/user-data >> /root/.ssh/authorized_keys 2>/dev/null
      chmod 600 /root/.ssh/authorized_keys 2>/dev/null
    fi
  else
    echo "kvmop-guest: disk \$n begins: \$(dd if=/dev/\$n bs=64 count=1 2>/dev/null | tr -cd 'A-Za-z0-9_:-')"
  fi
done
# a TCP echo service on port 7, for kvmop port-forward; ssh on port 22 (keys only), for kvmop ssh
nc -ll -p 7 -e /bin/cat &
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
dropbear -R -s -p 22 && echo "kvmop-guest: sshd on port 22"
# a shell on the serial console, for kvmop console (started again when it exits)
while true; do /bin/sh; done
INIT
chmod 755 "$root/init"
cat > "$root/etc/udhcpc.script" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "kvmop-guest: lease $ip on $interface"
    ;;
  deconfig)
    ip addr flush dev "$interface"
    ;;
esac
exit 0
SCRIPT
chmod 755 "$root/etc/udhcpc.script"

mkdir -p "$out"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initrd.gz.tmp"
cp "$work/x/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
chmod 644 "$out/vmlinuz" "$out/initrd.gz"
touch "$out/.complete"
echo "$out"
