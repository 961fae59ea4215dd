package io.kvmop.machine;

/**
 * Where a machine's pass spends its time, stage by stage (validate, observe, provision, plan,
 * apply, report), for the agent's metrics and the benchmark's breakdown.
 */
@FunctionalInterface
public interface PassStages {
  PassStages NONE = (stage, nanos) -> {};

  void record(String stage, long nanos);

  /** A stopwatch over one pass: each lap records the time since the previous one. */
  final class Laps {
    private final PassStages to;
    private long last = System.nanoTime();

    Laps(PassStages to) {
      this.to = to;
    }

    void lap(String stage) {
      long now = System.nanoTime();
      to.record(stage, now - last);
      last = now;
    }
  }
}
