package io.kvmop.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.placement.NodeLedger.Claim;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeLedgerTest {
  static final long GI = 1L << 20;

  static Claim run(int cpus) {
    return new Claim(cpus, GI, true);
  }

  static Claim halted(int cpus) {
    return new Claim(cpus, GI, false);
  }

  @Test
  void nothingIsGivenOutBeforeTheNodeIsSized() {
    NodeLedger l = new NodeLedger();
    assertThat(l.reserve("a", run(1))).get().asString().contains("not known yet");
    l.allow(2, 4 * GI);
    assertThat(l.reserve("a", run(1))).isEmpty();
  }

  @Test
  void aTwoCpuNodeTakesTwoOneCpuMachinesAndRefusesTheThirdSayingWhy() {
    NodeLedger l = new NodeLedger();
    l.allow(2, 8 * GI);
    assertThat(l.reserve("a", run(1))).isEmpty();
    assertThat(l.reserve("b", run(1))).isEmpty();
    assertThat(l.reserve("c", run(1)))
        .get()
        .asString()
        .contains("2 of 2 CPUs", "1 CPUs and 1024Mi wanted");
    assertThat(l.totals().heldCpus()).isEqualTo(2);
    assertThat(l.reserve("a", run(1))).as("a reservation made again is no new claim").isEmpty();
  }

  @Test
  void memoryIsGivenOutOnlyOnceToo() {
    NodeLedger l = new NodeLedger();
    l.allow(16, 2 * GI);
    assertThat(l.reserve("a", run(1))).isEmpty();
    assertThat(l.reserve("b", run(1))).isEmpty();
    assertThat(l.reserve("c", run(1))).get().asString().contains("2048 of 2048Mi");
  }

  @Test
  void haltedMachinesHoldNothingAndMustBeAdmittedWhenAskedToRun() {
    NodeLedger l = new NodeLedger();
    l.allow(2, 8 * GI);
    assertThat(l.reserve("h1", halted(1))).isEmpty();
    assertThat(l.reserve("h2", halted(1))).isEmpty();
    assertThat(l.reserve("h3", halted(1))).isEmpty();
    assertThat(l.totals().heldCpus()).isZero();
    assertThat(l.observe("h1", run(1), false)).isEmpty();
    assertThat(l.observe("h2", run(1), false)).isEmpty();
    assertThat(l.observe("h3", run(1), false)).get().asString().contains("2 of 2 CPUs");
    assertThat(l.totals().heldCpus()).isEqualTo(2);
    // h1 stops: its CPU is free again, and h3 may start
    assertThat(l.observe("h1", halted(1), false)).isEmpty();
    assertThat(l.observe("h3", run(1), false)).isEmpty();
    assertThat(l.totals().heldCpus()).isEqualTo(2);
  }

  @Test
  void aRunningDomainHoldsWhateverItsStrategySays() {
    NodeLedger l = new NodeLedger();
    l.allow(1, 8 * GI);
    assertThat(l.observe("shutting-down", halted(1), true)).isEmpty();
    assertThat(l.reserve("new", run(1))).isPresent();
    l.observe("shutting-down", halted(1), false);
    assertThat(l.reserve("new", run(1))).isEmpty();
  }

  @Test
  void machinesSeenAtStartKeepWhatTheyHoldEvenPastCapacity() {
    NodeLedger l = new NodeLedger();
    l.observe("old1", run(2), true);
    l.observe("old2", run(2), false);
    l.allow(2, 8 * GI); // the node shrank, or ratios went down: nothing running is stopped
    assertThat(l.totals().heldCpus()).isEqualTo(4);
    assertThat(l.reserve("new", run(1))).isPresent();
  }

  @Test
  void releaseAndSweepGiveBackWhatMachinesNoLongerHere() {
    NodeLedger l = new NodeLedger();
    l.allow(4, 8 * GI);
    l.observe("seen", run(1), true);
    l.reserve("fresh", run(1));
    l.observe("gone", run(1), false);
    l.release("seen");
    assertThat(l.totals().heldCpus()).isEqualTo(2);
    l.sweep(Set.of(), Duration.ofMinutes(2));
    assertThat(l.totals().heldCpus()).as("recent ones survive a sweep").isEqualTo(2);
    l.sweep(Set.of("gone"), Duration.ZERO);
    assertThat(l.totals().heldCpus()).as("present ones survive any sweep").isEqualTo(1);
    l.sweep(Set.of(), Duration.ZERO);
    assertThat(l.totals().heldCpus()).isZero();
  }

  @Test
  void hundredsOfConcurrentReservationsNeverExceedTheNode() throws Exception {
    NodeLedger l = new NodeLedger();
    l.allow(16, 64 * GI);
    AtomicInteger granted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    for (int i = 0; i < 500; i++) {
      String uid = "m" + i;
      pool.submit(
          () -> {
            if (l.reserve(uid, run(1)).isEmpty()) {
              granted.incrementAndGet();
            }
          });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(granted.get()).isEqualTo(16);
    assertThat(l.totals().heldCpus()).isEqualTo(16);
  }

  @Test
  void listenersHearOfEveryChange() {
    NodeLedger l = new NodeLedger();
    AtomicInteger heard = new AtomicInteger();
    l.onChange(heard::incrementAndGet);
    l.allow(2, GI * 4);
    l.reserve("a", run(1));
    l.observe("a", run(1), true); // nothing new
    l.release("a");
    assertThat(heard.get()).isEqualTo(3);
  }

  @Test
  void theKeptSumsAreTheSumsOfWhatIsHeldWhateverHappens() {
    NodeLedger l = new NodeLedger();
    l.allow(64, 64L << 20);
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      String uid = "m" + r.nextInt(40);
      NodeLedger.Claim c =
          new NodeLedger.Claim(1 + r.nextInt(4), (1L + r.nextInt(4)) << 20, r.nextInt(4) > 0);
      switch (r.nextInt(4)) {
        case 0 -> l.reserve(uid, c);
        case 1 -> l.observe(uid, c, r.nextBoolean());
        case 2 -> l.release(uid);
        default -> l.sweep(java.util.Set.of("m1", "m2", "m3"), java.time.Duration.ZERO);
      }
      assertThat(l.totals()).isEqualTo(l.totalsByWalk());
    }
    // the kept sums agree with a walk over what is held: release everything, nothing is left
    for (int i = 0; i < 40; i++) {
      l.release("m" + i);
    }
    assertThat(l.totals().heldCpus()).isZero();
    assertThat(l.totals().heldKiB()).isZero();
    assertThat(l.totals().holders()).isZero();
  }

  @Test
  void whatKvmopRefusesHoldsNothingAndTheMessageNamesTheRealHolders() {
    NodeLedger l = new NodeLedger();
    l.allow(2, 8 * GI);
    l.name("bad-1", "team-a/bad-1");
    l.name("bad-2", "team-a/bad-2");
    l.name("web", "team-b/web");
    assertThat(l.reserve("bad-1", run(1))).isEmpty();
    assertThat(l.reserve("bad-2", run(1))).isEmpty();
    // their first pass refuses them (an invalid spec, a network they may not use)
    l.refused("bad-1", run(1));
    l.refused("bad-2", run(1));
    assertThat(l.totals().heldCpus()).isZero();
    assertThat(l.reserve("web", run(1))).isEmpty();
    assertThat(l.observe("web", run(1), true)).isEmpty();
    // a refused machine corrected is admitted again like a new one: one CPU is left
    assertThat(l.observe("bad-1", run(1), false)).isEmpty();
    assertThat(l.observe("bad-2", run(1), false))
        .get()
        .asString()
        .contains("held by 2 machines: ")
        .contains("team-b/web (running, 1 CPUs, 1024Mi)")
        .contains("team-a/bad-1 (placed, not running, 1 CPUs, 1024Mi)")
        .doesNotContain("team-a/bad-2 (");
    assertThat(l.totalsByWalk()).isEqualTo(l.totals());
  }
}
