package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One holder per domain at a time, also while domains are forgotten and come back. */
class DomainLocksTest {
  @Test
  void neverTwoHoldersOfOneDomain() throws Exception {
    DomainLocks locks = new DomainLocks();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      pool.submit(
          () -> {
            go.await();
            for (int i = 0; i < 20000; i++) {
              locks.with(
                  "d",
                  () -> {
                    worst.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                    return null;
                  });
              locks.forget("d");
            }
            return null;
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(worst.get()).isEqualTo(1);
  }

  @Test
  void aTryGivesUpWhileAnotherHoldsTheKeyAndGetsItAfterwards() throws Exception {
    DomainLocks locks = new DomainLocks();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () ->
                locks.with(
                    DomainLocks.snapshotsOf("d"),
                    () -> {
                      held.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    holder.start();
    held.await();
    assertThat(
            locks.tryWith(DomainLocks.snapshotsOf("d"), java.time.Duration.ofMillis(100), () -> 1))
        .isEmpty();
    assertThat(locks.tryWith("d", java.time.Duration.ofMillis(100), () -> 2))
        .as("the domain's own key is another")
        .contains(2);
    release.countDown();
    holder.join();
    assertThat(
            locks.tryWith(DomainLocks.snapshotsOf("d"), java.time.Duration.ofSeconds(5), () -> 3))
        .contains(3);
  }
}
