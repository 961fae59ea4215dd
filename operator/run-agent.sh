#!/usr/bin/env bash
# Runs the kvmop node agent on this host against the Kubernetes cluster of the current
# kubeconfig (~/.kube/config or $KUBECONFIG) and this host's libvirt (qemu:///system).
# (Without a cluster, use standalone mode: operator/quickstart.sh and docs/standalone.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
export MALLOC_ARENA_MAX=1 # as the chart runs the agent: fewer malloc arenas, less memory
bash operator/host-setup.sh
mvn -B -q package -DskipTests
if ! kubectl version --request-timeout=5s >/dev/null 2>&1; then
  echo "run-agent: no Kubernetes API server is reachable with the current kubeconfig." >&2
  echo "run-agent: point KUBECONFIG at a cluster (kind, k3s, a real one) and run again." >&2
  exit 1
fi
kubectl apply -f crds/
export NODE_NAME="${NODE_NAME:-$(hostname)}"
exec java -Xms64m -Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -jar target/kvmop.jar
