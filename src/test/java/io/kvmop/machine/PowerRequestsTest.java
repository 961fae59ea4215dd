package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.MachineRequestStatus;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.status.Blocker;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PowerRequestsTest {
  static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  static final String D = "kvmop-default-web-1";

  static DomainState domain(RunState s) {
    return new DomainState(D, "uid-1", true, s, 1, null, null);
  }

  static PowerRequests.Decision decide(
      String request, MachineRequestStatus last, RunStrategy strategy, RunState state) {
    return decide(request, last, strategy, state, null, T0);
  }

  static PowerRequests.Decision decide(
      String request,
      MachineRequestStatus last,
      RunStrategy strategy,
      RunState state,
      Instant asked,
      Instant now) {
    return PowerRequests.decide(
        new PowerRequests.Input(
            request,
            last,
            strategy,
            D,
            state == null ? Optional.empty() : Optional.of(domain(state)),
            null,
            false,
            asked,
            Duration.ofSeconds(30),
            now));
  }

  @Test
  void runStrategiesDecideWhatIsRefused() {
    var stopAlways = decide("stop 1", null, RunStrategy.Always, RunState.RUNNING);
    assertThat(stopAlways.actions()).isEmpty();
    assertThat(stopAlways.answer().outcome).isEqualTo("Refused");
    assertThat(stopAlways.answer().reason).isEqualTo("RunStrategy");
    assertThat(stopAlways.answer().message).contains("spec.runStrategy to Halted");

    var startHalted = decide("start 1", null, RunStrategy.Halted, RunState.SHUTOFF);
    assertThat(startHalted.answer().outcome).isEqualTo("Refused");
    assertThat(startHalted.answer().message).contains("Always or Manual");

    var restartStopped = decide("restart 1", null, RunStrategy.Manual, RunState.SHUTOFF);
    assertThat(restartStopped.answer().reason).isEqualTo("NotRunning");

    var bad = decide("reboot now", null, RunStrategy.Always, RunState.RUNNING);
    assertThat(bad.answer().reason).isEqualTo("InvalidRequest");
    assertThat(bad.answer().message).contains("start, stop, restart, pause or unpause");

    var blocked =
        PowerRequests.decide(
            new PowerRequests.Input(
                "start 1",
                null,
                RunStrategy.Manual,
                D,
                Optional.empty(),
                new Blocker("InvalidSpec", "spec.memory: 3Xi"),
                false,
                null,
                Duration.ofSeconds(30),
                T0));
    assertThat(blocked.answer().reason).isEqualTo("InvalidSpec");
    assertThat(blocked.actions()).isEmpty();
  }

  @Test
  void stopShutsDownThenDestroysAfterTheTimeoutAndKeepsItStopped() {
    var first = decide("stop 1", null, RunStrategy.RerunOnFailure, RunState.RUNNING);
    assertThat(first.actions()).containsExactly(new MachineAction.Shutdown(D, false));
    assertThat(first.shutdownRequested()).isTrue();
    assertThat(first.answer().outcome).isEqualTo("InProgress");

    var waiting =
        decide(
            "stop 1",
            first.answer(),
            RunStrategy.RerunOnFailure,
            RunState.RUNNING,
            T0,
            T0.plusSeconds(10));
    assertThat(waiting.actions()).isEmpty();
    assertThat(waiting.recheck()).isEqualTo(Duration.ofSeconds(20));

    var late =
        decide(
            "stop 1",
            first.answer(),
            RunStrategy.RerunOnFailure,
            RunState.RUNNING,
            T0,
            T0.plusSeconds(31));
    assertThat(late.actions()).containsExactly(new MachineAction.Destroy(D));

    var down = decide("stop 1", late.answer(), RunStrategy.RerunOnFailure, RunState.SHUTOFF);
    assertThat(down.answer().outcome).isEqualTo("Done");
    assertThat(down.holdStart()).as("RerunOnFailure must not start it again").isTrue();

    // answered: nothing more is done, and it stays stopped until another request
    var later = decide("stop 1", down.answer(), RunStrategy.RerunOnFailure, RunState.SHUTOFF);
    assertThat(later.actions()).isEmpty();
    assertThat(later.holdStart()).isTrue();
    MachinePlan planned =
        new MachinePlan(java.util.List.of(new MachineAction.Start(D)), null, null, false, null);
    assertThat(later.applyTo(planned).actions()).isEmpty();
  }

  @Test
  void restartStopsThenStartsOnce() {
    var down = decide("restart 7", null, RunStrategy.Always, RunState.RUNNING);
    assertThat(down.actions()).containsExactly(new MachineAction.Shutdown(D, false));
    assertThat(down.holdStart()).isTrue();
    var up = decide("restart 7", down.answer(), RunStrategy.Always, RunState.SHUTOFF);
    assertThat(up.actions()).containsExactly(new MachineAction.Start(D));
    assertThat(up.answer().outcome).isEqualTo("Done");
    // the planner (Always) also wants to start it: one start, not two
    MachinePlan planned =
        new MachinePlan(java.util.List.of(new MachineAction.Start(D)), null, null, false, null);
    assertThat(up.applyTo(planned).actions()).containsExactly(new MachineAction.Start(D));
    // answered: a later pass does nothing for it
    assertThat(decide("restart 7", up.answer(), RunStrategy.Always, RunState.RUNNING).actions())
        .isEmpty();
  }

  @Test
  void pauseAndUnpause() {
    var pause = decide("pause 1", null, RunStrategy.Always, RunState.RUNNING);
    assertThat(pause.actions()).containsExactly(new MachineAction.Suspend(D));
    assertThat(pause.answer().outcome).isEqualTo("Done");
    assertThat(decide("pause 2", null, RunStrategy.Always, RunState.PAUSED).actions()).isEmpty();
    assertThat(decide("pause 3", null, RunStrategy.Manual, RunState.SHUTOFF).answer().reason)
        .isEqualTo("NotRunning");
    assertThat(decide("unpause 1", null, RunStrategy.Always, RunState.PAUSED).actions())
        .containsExactly(new MachineAction.Resume(D));
    assertThat(decide("unpause 2", null, RunStrategy.Always, RunState.RUNNING).answer().message)
        .isEqualTo("not paused");
  }
}
