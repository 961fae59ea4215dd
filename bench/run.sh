#!/usr/bin/env bash
# kvmop's benchmark: apply->IP against a bare virsh script on real libvirtd, scale (100, 1,000 and
# 10,000 machines) on libvirt's test driver through the mock API against a floor measured in the
# same run, idle cost and memory, and chaos during churn (SIGKILLs, API outages, then an audit).
# Prints a table; writes the figures to target/bench/results.json. See docs/performance.md.
#
#   bash bench/run.sh            the full run (about 30 minutes on 2 cores)
#   bash bench/run.sh --quick    every part, small (a minute): checks the harness, not the speed
#   more flags: --sizes 100,1000  --only ip,scale,chaos (or cold,idle,burst,standalone)
#               --scale-runs 3 (floor, cold and burst interleaved up to 1,000 machines; medians)
#               --runs N (apply->IP runs, default 5)  --out FILE
set -euo pipefail
cd "$(dirname "$0")/.."
bash operator/host-setup.sh
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
exec java -Xms512m -Xmx4g -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  io.kvmop.bench.Bench "$@"
