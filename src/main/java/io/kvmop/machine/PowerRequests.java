package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachineRequestStatus;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.DomainState;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Power requests without a spec change (GitOps sees no diff): {@code kvmop start|stop|restart|pause
 * |unpause} writes the annotation {@code kvmop.io/request: "<verb> <token>"}; the agent acts on
 * each token once, by the rules KubeVirt's runStrategies give, and answers in status.request. Pure:
 * it turns the request, the last answer and the domain's state into steps and the new answer.
 */
public final class PowerRequests {
  public static final String ANNOTATION = "kvmop.io/request";
  public static final String IN_PROGRESS = "InProgress";
  public static final String DONE = "Done";
  public static final String REFUSED = "Refused";
  public static final String REFUSED_BY_RUN_STRATEGY = "RunStrategy";
  public static final String NOT_RUNNING = "NotRunning";
  public static final String INVALID_REQUEST = "InvalidRequest";
  private static final List<String> VERBS = List.of("start", "stop", "restart", "pause", "unpause");

  private PowerRequests() {}

  /** What to add to the planner's steps, and the answer for status. */
  public record Decision(
      List<MachineAction> actions,
      boolean holdStart,
      boolean shutdownRequested,
      Duration recheck,
      MachineRequestStatus answer) {

    /** The plan with this decision's steps (a start the planner already has is not doubled). */
    MachinePlan applyTo(MachinePlan plan) {
      List<MachineAction> out = new ArrayList<>();
      for (MachineAction a : plan.actions()) {
        if (!(holdStart && a instanceof MachineAction.Start)) {
          out.add(a);
        }
      }
      for (MachineAction a : actions) {
        if (!out.contains(a)) {
          out.add(a);
        }
      }
      Duration r = plan.recheckAfter();
      if (recheck != null && (r == null || recheck.compareTo(r) < 0)) {
        r = recheck;
      }
      return new MachinePlan(
          List.copyOf(out),
          plan.blocker(),
          plan.restartRequired(),
          plan.shutdownRequested() || shutdownRequested,
          r,
          answer);
    }
  }

  /** The inputs: the request on the machine, the last answer, and what the node has. */
  public record Input(
      String request,
      MachineRequestStatus last,
      RunStrategy strategy,
      String domainName,
      Optional<DomainState> current,
      Blocker blocked,
      boolean agentConnected,
      Instant shutdownRequestedAt,
      Duration shutdownTimeout,
      Instant now) {}

  /** Puts the answer in status; a new refusal is also an event (the CLI's user sees it there). */
  static void answer(
      KvmMachine m, KvmMachineStatus status, MachineRequestStatus a, List<Happened> happened) {
    status.request = a;
    MachineRequestStatus before = m.getStatus() == null ? null : m.getStatus().request;
    if (a != null
        && REFUSED.equals(a.outcome)
        && (before == null || !java.util.Objects.equals(before.request, a.request))) {
      happened.add(new Happened("RequestRefused", a.verb + " refused: " + a.message));
    }
  }

  public static String requestOf(KvmMachine m) {
    var a = m.getMetadata().getAnnotations();
    return a == null ? null : a.get(ANNOTATION);
  }

  public static Decision decide(Input in) {
    MachineRequestStatus last = in.last();
    boolean answered =
        last != null
            && in.request() != null
            && in.request().equals(last.request)
            && !IN_PROGRESS.equals(last.outcome);
    if (in.request() == null || answered) {
      return new Decision(List.of(), keepStopped(in, last), false, null, last);
    }
    String[] words = in.request().strip().split("\\s+");
    String verb = words[0];
    if (in.request().length() > 128 || !VERBS.contains(verb)) {
      return refuse(
          in,
          verb,
          INVALID_REQUEST,
          "annotation "
              + ANNOTATION
              + " must be '<verb> <token>' (at most 128 characters) with verb start, stop,"
              + " restart, pause or unpause");
    }
    if (in.blocked() != null) {
      return refuse(
          in,
          verb,
          in.blocked().reason(),
          "kvmop cannot act on the machine until this is fixed: " + in.blocked().message());
    }
    boolean inProgress =
        last != null && in.request().equals(last.request) && IN_PROGRESS.equals(last.outcome);
    DomainState cur = in.current().orElse(null);
    boolean running = cur != null && cur.running();
    boolean paused = cur != null && cur.state() == DomainState.RunState.PAUSED;
    String name = in.domainName();
    return switch (verb) {
      case "start" -> {
        if (in.strategy() == RunStrategy.Halted) {
          yield refuse(
              in,
              verb,
              REFUSED_BY_RUN_STRATEGY,
              "runStrategy Halted keeps the machine stopped; to start it, set spec.runStrategy to"
                  + " Always or Manual");
        }
        if (running) {
          yield answer(in, verb, DONE, "running");
        }
        if (cur == null) {
          yield new Decision(
              List.of(),
              false,
              false,
              Duration.ofSeconds(1),
              progress(in, verb, "waiting to start"));
        }
        yield new Decision(
            List.of(new MachineAction.Start(name)), false, false, null, done(in, verb, "started"));
      }
      case "stop" -> {
        if (in.strategy() == RunStrategy.Always) {
          yield refuse(
              in,
              verb,
              REFUSED_BY_RUN_STRATEGY,
              "runStrategy Always starts the machine again at once; to stop it, set"
                  + " spec.runStrategy to Halted (or Manual)");
        }
        if (!running) {
          yield new Decision(List.of(), true, false, null, done(in, verb, "stopped"));
        }
        yield stopping(in, verb, "shutting down", true);
      }
      case "restart" -> {
        if (in.strategy() == RunStrategy.Halted) {
          yield refuse(
              in,
              verb,
              REFUSED_BY_RUN_STRATEGY,
              "runStrategy Halted keeps the machine stopped; set spec.runStrategy to Always or"
                  + " Manual first");
        }
        if (running) {
          yield stopping(in, verb, "shutting down to restart", false);
        }
        if (!inProgress) {
          yield refuse(in, verb, NOT_RUNNING, "the machine is not running; use kvmop start");
        }
        yield new Decision(
            List.of(new MachineAction.Start(name)),
            false,
            false,
            null,
            done(in, verb, "restarted"));
      }
      case "pause" -> {
        if (paused) {
          yield answer(in, verb, DONE, "paused");
        }
        if (!running) {
          yield refuse(in, verb, NOT_RUNNING, "the machine is not running; nothing to pause");
        }
        yield new Decision(
            List.of(new MachineAction.Suspend(name)), false, false, null, done(in, verb, "paused"));
      }
      default -> { // unpause
        if (!paused) {
          yield answer(in, verb, DONE, "not paused");
        }
        yield new Decision(
            List.of(new MachineAction.Resume(name)), false, false, null, done(in, verb, "resumed"));
      }
    };
  }

  /** Shut down gracefully, destroy after the shutdown timeout; in progress until it is down. */
  private static Decision stopping(Input in, String verb, String what, boolean hold) {
    List<MachineAction> actions = new ArrayList<>();
    boolean requested = false;
    Duration recheck;
    if (in.shutdownRequestedAt() == null) {
      actions.add(new MachineAction.Shutdown(in.domainName(), in.agentConnected()));
      requested = true;
      recheck = in.shutdownTimeout();
    } else {
      Instant deadline = in.shutdownRequestedAt().plus(in.shutdownTimeout());
      if (in.now().isBefore(deadline)) {
        recheck = Duration.between(in.now(), deadline);
      } else {
        actions.add(new MachineAction.Destroy(in.domainName()));
        recheck = Duration.ofMillis(200);
      }
    }
    // a restart's stop must not be undone by the planner's start before it is down
    return new Decision(List.copyOf(actions), true, requested, recheck, progress(in, verb, what));
  }

  /** A machine stopped by a request stays stopped (RerunOnFailure would start it again). */
  private static boolean keepStopped(Input in, MachineRequestStatus last) {
    return last != null
        && "stop".equals(last.verb)
        && DONE.equals(last.outcome)
        && in.request() != null
        && in.request().equals(last.request)
        && in.strategy() != RunStrategy.Always;
  }

  private static Decision refuse(Input in, String verb, String reason, String message) {
    return new Decision(
        List.of(),
        keepStopped(in, in.last()),
        false,
        null,
        new MachineRequestStatus(
            in.request(), verb, REFUSED, reason, message, in.now().toString()));
  }

  private static Decision answer(Input in, String verb, String outcome, String message) {
    return new Decision(List.of(), false, false, null, done(in, verb, message));
  }

  private static MachineRequestStatus done(Input in, String verb, String message) {
    return new MachineRequestStatus(in.request(), verb, DONE, null, message, in.now().toString());
  }

  private static MachineRequestStatus progress(Input in, String verb, String message) {
    return new MachineRequestStatus(
        in.request(), verb, IN_PROGRESS, null, message, in.now().toString());
  }
}
