package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.kvmop.api.KvmHost;
import io.kvmop.placement.NodeLedger;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reconciles this node's KvmHost when what its machines hold changes, at most once per {@code
 * delay}: a burst of a thousand placements publishes the node's allocation a few times, not a
 * thousand, and the other agents' placement sees it that soon.
 */
final class LedgerEventSource extends AbstractEventSource<NodeLedger, KvmHost> {
  private final String node;
  private final Duration delay;
  private final AtomicBoolean pending = new AtomicBoolean();
  private ScheduledExecutorService timer;

  LedgerEventSource(String node, NodeLedger ledger, Duration delay) {
    super(NodeLedger.class, "node-ledger");
    this.node = node;
    this.delay = delay;
    ledger.onChange(this::changed);
  }

  private void changed() {
    if (isRunning() && pending.compareAndSet(false, true)) {
      timer.schedule(
          () -> {
            pending.set(false);
            getEventHandler().handleEvent(new Event(new ResourceID(node)));
          },
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public Set<NodeLedger> getSecondaryResources(KvmHost primary) {
    return Set.of();
  }

  @Override
  public void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ledger-publish");
              t.setDaemon(true);
              return t;
            });
    super.start();
  }

  @Override
  public void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
    super.stop();
  }
}
