package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBacklogTest {
  List<String> sent = new ArrayList<>();
  EventBacklog backlog = new EventBacklog(3);

  private EventBacklog.Pending event(String name, boolean warning) {
    return new EventBacklog.Pending(warning, () -> sent.add(name));
  }

  private void sendAll() throws InterruptedException {
    while (backlog.size() > 0) {
      backlog.take().send().run();
    }
  }

  @Test
  void whenFullAWarningTakesThePlaceOfTheOldestNormalEventAndOrderIsKept() throws Exception {
    assertThat(backlog.offer(event("a Defined", false))).isTrue();
    assertThat(backlog.offer(event("b InvalidSpec", true))).isTrue();
    assertThat(backlog.offer(event("c Started", false))).isTrue();
    assertThat(backlog.offer(event("d Started", false)))
        .as("full: a Normal one waits its turn")
        .isFalse();
    assertThat(backlog.offer(event("e LibvirtError", true))).as("it displaced one").isFalse();
    sendAll();
    assertThat(sent).containsExactly("b InvalidSpec", "c Started", "e LibvirtError");
    assertThat(backlog.dropped()).isEqualTo(2);
  }

  @Test
  void warningsAreDroppedOnlyWhenNothingButWarningsWaits() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(backlog.offer(event("w" + i, true))).isTrue();
    }
    assertThat(backlog.offer(event("w3", true))).isFalse();
    sendAll();
    assertThat(sent).containsExactly("w0", "w1", "w2");
    assertThat(backlog.dropped()).isEqualTo(1);
  }
}
