#!/usr/bin/env bash
# kvmop's first command: on a Debian 12 host (as root) it installs what is missing (libvirt,
# QEMU, the build tools), starts libvirtd and virtlogd, builds kvmop, builds the small demo guest
# from Debian packages, and runs kvmop in standalone mode (no cluster) on examples/quickstart:
# an isolated network and a machine booting the demo guest. It prints the machine's address when
# it is Ready and keeps the machine as declared until Ctrl-C. Status: java -jar target/kvmop.jar
# get --manifests examples/quickstart [-w].
#
#   bash operator/quickstart.sh                  run until Ctrl-C
#   bash operator/quickstart.sh --until-ready    exit once every machine is Ready (or after 300 s)
#   bash operator/quickstart.sh --delete         remove everything it created (stop the run first)
set -euo pipefail
cd "$(dirname "$0")/.."
export MALLOC_ARENA_MAX=1 # as the chart runs the agent: fewer malloc arenas, less memory
bash operator/host-setup.sh
if [ "${KVMOP_SKIP_BUILD:-}" != 1 ]; then
  mvn -B -q package -DskipTests
fi
case "${1:-}" in
  --delete)
    exec java -Xms64m -Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -jar target/kvmop.jar delete --manifests examples/quickstart ;;
esac
guest=$(bash src/test/guest/build-guest.sh 2>/dev/null | tail -n 1)
install -D -m 644 "$guest/vmlinuz" /var/lib/kvmop/images/demo/vmlinuz
install -D -m 644 "$guest/initrd.gz" /var/lib/kvmop/images/demo/initrd.gz
case "${1:-}" in
  --until-ready)
    exec java -Xms64m -Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -jar target/kvmop.jar run --manifests examples/quickstart --until-ready "${2:-300}" ;;
  *)
    exec java -Xms64m -Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -jar target/kvmop.jar run --manifests examples/quickstart ;;
esac
