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
}
