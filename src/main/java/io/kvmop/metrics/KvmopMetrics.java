package io.kvmop.metrics;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.libvirt.CallObserver;
import io.kvmop.machine.PassStages;
import io.kvmop.status.Conditions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kvmop's own metrics, next to JOSDK's reconcile metrics in the same registry: machines by phase,
 * apply→Running and apply→IP latency, libvirt calls by operation with latency and errors, and
 * reconnects. Latencies are measured only for machines this agent saw before they first ran, so a
 * restarted agent does not report machines created long ago.
 */
public final class KvmopMetrics implements CallObserver, PassStages {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, MachinePhase> phases = new ConcurrentHashMap<>();
  private final Set<String> awaitingRun = ConcurrentHashMap.newKeySet();
  private final Set<String> awaitingIp = ConcurrentHashMap.newKeySet();

  /** Machines whose latency was recorded: a lagging cached status must not record it twice. */
  private final Set<String> ranRecorded = ConcurrentHashMap.newKeySet();

  private final Set<String> ipRecorded = ConcurrentHashMap.newKeySet();
  private final Timer applyToRunning;
  private final Timer applyToIp;
  private final Counter reconnects;
  private final Counter failovers;
  private final Counter selfFenced;
  private final Map<String, Timer> stages = new ConcurrentHashMap<>();

  /** One stage of a machine's pass (kvmop_machine_pass_stage_seconds{stage}). */
  @Override
  public void record(String stage, long nanos) {
    stages
        .computeIfAbsent(
            stage,
            s ->
                Timer.builder("kvmop.machine.pass.stage")
                    .description("Time a machine's pass spends in each stage")
                    .tag("stage", s)
                    .register(registry))
        .record(Duration.ofNanos(nanos));
  }

  public KvmopMetrics() {
    for (MachinePhase p : MachinePhase.values()) {
      Gauge.builder("kvmop.machines", () -> phases.values().stream().filter(p::equals).count())
          .description("KvmMachines on this node by phase")
          .tag("phase", p.name())
          .register(registry);
    }
    applyToRunning =
        Timer.builder("kvmop.machine.apply.to.running")
            .description("From a KvmMachine's creation to its domain first running")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    applyToIp =
        Timer.builder("kvmop.machine.apply.to.ip")
            .description("From a KvmMachine's creation to its first IP address in status")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    reconnects =
        Counter.builder("kvmop.libvirt.reconnects")
            .description("Connections to libvirt lost and opened again")
            .register(registry);
    failovers =
        Counter.builder("kvmop.failovers")
            .description(
                "Machines this agent took off a dead node (spec.failover.policy Restart), after"
                    + " fencing their storage")
            .register(registry);
    selfFenced =
        Counter.builder("kvmop.self.fenced")
            .description(
                "Restart machines this agent destroyed on its own node when it lost its node"
                    + " Lease (they are restarted elsewhere)")
            .register(registry);
  }

  /** A machine taken off a dead node. */
  public void failedOver() {
    failovers.increment();
  }

  /** A Restart machine destroyed here because this agent lost its node Lease. */
  public void selfFenced() {
    selfFenced.increment();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void called(String operation, long nanos, String errorCode) {
    Timer.builder("kvmop.libvirt.calls")
        .description("libvirt calls by operation and outcome")
        .tag("operation", operation)
        .tag("outcome", errorCode == null ? "ok" : "error")
        .register(registry)
        .record(Duration.ofNanos(nanos));
    if (errorCode != null) {
      Counter.builder("kvmop.libvirt.errors")
          .description("libvirt errors by operation and libvirt error code")
          .tag("operation", operation)
          .tag("code", errorCode)
          .register(registry)
          .increment();
    }
  }

  @Override
  public void reconnected() {
    reconnects.increment();
  }

  /** The status just computed for a machine on this node. */
  public void machine(KvmMachine m, KvmMachineStatus status, Instant now) {
    String key = m.getMetadata().getNamespace() + "/" + m.getMetadata().getName();
    String uid = m.getMetadata().getUid();
    KvmMachineStatus old = m.getStatus();
    if (old == null
        || old.phase == null
        || old.phase == MachinePhase.Pending
        || old.phase == MachinePhase.Scheduled
        || old.phase == MachinePhase.Provisioning) {
      if (!Conditions.isTrue(old == null ? null : old.conditions, "Running")) {
        if (!ranRecorded.contains(uid)) {
          awaitingRun.add(uid);
        }
        if (!ipRecorded.contains(uid)) {
          awaitingIp.add(uid);
        }
      }
    }
    if (status.phase != null) {
      phases.put(key, status.phase);
    }
    Instant created = created(m);
    if (created == null) {
      return;
    }
    if (Conditions.isTrue(status.conditions, "Running")
        && awaitingRun.remove(uid)
        && ranRecorded.add(uid)) {
      applyToRunning.record(Duration.between(created, now));
    }
    if (Conditions.isTrue(status.conditions, "IPAssigned")
        && awaitingIp.remove(uid)
        && ipRecorded.add(uid)) {
      applyToIp.record(Duration.between(created, now));
    }
  }

  /**
   * The machines there are now, by namespace/name (standalone kvmop's last pass): any other is gone
   * and no longer counted.
   */
  public void keepOnly(java.util.Set<String> namespacedNames) {
    phases.keySet().retainAll(namespacedNames);
  }

  /** The machine is gone from this node. */
  public void forget(KvmMachine m) {
    phases.remove(m.getMetadata().getNamespace() + "/" + m.getMetadata().getName());
    awaitingRun.remove(m.getMetadata().getUid());
    awaitingIp.remove(m.getMetadata().getUid());
    ranRecorded.remove(m.getMetadata().getUid());
    ipRecorded.remove(m.getMetadata().getUid());
  }

  private static Instant created(KvmMachine m) {
    String ts = m.getMetadata().getCreationTimestamp();
    try {
      return ts == null ? null : Instant.parse(ts);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
