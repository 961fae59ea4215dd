package io.kvmop.network;

import io.kvmop.api.NetworkMode;
import io.kvmop.api.Unreadable;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.NetworkUpdate;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what to do with one KvmNetwork on one node, from the desired network and what libvirt and
 * the host show. Pure: no I/O, so every decision is a unit test.
 */
public final class NetworkPlanner {
  private NetworkPlanner() {}

  /** Everything the planner looks at. */
  public record Input(
      String uid,
      NetworkNaming naming,
      NetworkMode mode,
      NetworkXml desired,
      boolean autostart,
      List<String> problems,
      boolean selected,
      Optional<NetworkState> current,
      List<NetworkState> otherNetworks,
      List<HostInterface> hostInterfaces) {}

  public static boolean owns(NetworkState state, String uid) {
    return state.uuid() != null && state.uuid().equalsIgnoreCase(uid);
  }

  public static NetworkPlan plan(Input in) {
    if (!in.problems().isEmpty()) {
      return NetworkPlan.blocked(
          new Blocker(
              in.problems().stream().anyMatch(Unreadable::marks)
                  ? Reasons.UNREADABLE
                  : Reasons.INVALID_SPEC,
              String.join("; ", in.problems())));
    }
    Optional<NetworkState> current = in.current();
    String name = in.naming().libvirtName();
    boolean ours = current.isEmpty() || owns(current.get(), in.uid());
    if (!in.selected()) {
      // not realised here: remove what we own, and say nothing about what we do not
      return new NetworkPlan(ours ? removal(current) : List.of(), null, null, null);
    }
    if (!ours) {
      return NetworkPlan.blocked(nameConflict(current.get()));
    }
    List<NetworkAction> actions = new ArrayList<>();
    NetworkState cur = current.orElse(null);
    Change change = change(in, cur, name, actions);
    if (cur == null || !cur.persistent() || !same(cur.config(), in.desired())) {
      actions.add(new NetworkAction.Define(in.desired()));
    }
    actions.addAll(change.liveUpdates());
    boolean autostartNow = cur != null && cur.autostart();
    if (autostartNow != in.autostart()) {
      actions.add(new NetworkAction.SetAutostart(name, in.autostart()));
    }
    if (!change.active()) {
      Blocker conflict = start(in, name, actions);
      if (conflict != null) {
        return new NetworkPlan(actions, conflict, change.restartPending(), null);
      }
    }
    return new NetworkPlan(List.copyOf(actions), null, change.restartPending(), change.applied());
  }

  /** How a running network takes a changed definition: live, by a restart, or not yet. */
  private record Change(
      boolean active,
      List<NetworkAction> liveUpdates,
      String restartPending,
      AppliedChange applied) {}

  private static Change change(
      Input in, NetworkState cur, String name, List<NetworkAction> actions) {
    boolean active = cur != null && cur.active();
    List<NetworkAction> liveUpdates = new ArrayList<>();
    if (!active || same(cur.live(), in.desired())) {
      return new Change(active, liveUpdates, null, null);
    }
    Optional<List<NetworkUpdate>> inPlace = LiveChanges.between(cur.live(), in.desired());
    if (inPlace.isPresent()) {
      inPlace.get().forEach(u -> liveUpdates.add(new NetworkAction.UpdateLive(name, u)));
      return new Change(
          true,
          liveUpdates,
          null,
          new AppliedChange(
              AppliedChange.UPDATED_LIVE,
              "updated "
                  + LiveChanges.describe(inPlace.get())
                  + " of running network "
                  + name
                  + " in place, without a restart"));
    }
    String what = NetworkDiff.describe(cur.live(), in.desired());
    if (cur.connections() == 0) {
      // stop first, then define: an inactive network takes the new definition at once
      actions.add(new NetworkAction.Stop(name, "apply " + what));
      return new Change(
          false,
          liveUpdates,
          null,
          new AppliedChange(
              AppliedChange.RESTARTED,
              "restarted network " + name + " to apply the change: " + what));
    }
    return new Change(
        true,
        liveUpdates,
        "the change ("
            + what
            + ") takes effect when network "
            + name
            + " restarts; it was not restarted because "
            + cur.connections()
            + " guest interface(s) are attached and would lose connectivity. Stop those"
            + " guests, or run: virsh net-destroy "
            + name
            + " && virsh net-start "
            + name,
        null);
  }

  /** Starting an inactive network: only without an address conflict; a stale bridge goes first. */
  private static Blocker start(Input in, String name, List<NetworkAction> actions) {
    boolean ownBridge = in.mode() != NetworkMode.BRIDGE;
    Optional<String> conflict =
        AddressConflicts.find(
            in.desired(),
            ownBridge ? in.naming().bridge() : null,
            in.otherNetworks(),
            in.hostInterfaces());
    if (conflict.isPresent()) {
      return new Blocker(Reasons.ADDRESS_CONFLICT, conflict.get());
    }
    if (ownBridge
        && in.hostInterfaces().stream().anyMatch(i -> i.name().equals(in.naming().bridge()))) {
      actions.add(new NetworkAction.DeleteStaleLink(in.naming().bridge()));
    }
    actions.add(new NetworkAction.Start(name));
    return null;
  }

  /** On deletion: wait while machines use the network, never touch what is not ours. */
  public static NetworkPlan planDeletion(
      String uid, Optional<NetworkState> current, List<String> machinesUsing) {
    if (!machinesUsing.isEmpty()) {
      return NetworkPlan.blocked(
          new Blocker(
              Reasons.IN_USE,
              "deletion waits: used by KvmMachine "
                  + String.join(", ", machinesUsing)
                  + "; delete those machines or remove the interface from them"));
    }
    if (current.isPresent() && !owns(current.get(), uid)) {
      return new NetworkPlan(List.of(), nameConflict(current.get()), null, null);
    }
    return new NetworkPlan(removal(current), null, null, null);
  }

  private static List<NetworkAction> removal(Optional<NetworkState> current) {
    if (current.isEmpty()) {
      return List.of();
    }
    List<NetworkAction> actions = new ArrayList<>();
    if (current.get().active()) {
      actions.add(new NetworkAction.Stop(current.get().name(), "remove"));
    }
    if (current.get().persistent()) {
      actions.add(new NetworkAction.Undefine(current.get().name()));
    }
    return actions;
  }

  private static Blocker nameConflict(NetworkState other) {
    return new Blocker(
        Reasons.NAME_CONFLICT,
        "libvirt network '"
            + other.name()
            + "' exists with UUID "
            + other.uuid()
            + " and is not this resource's, so kvmop leaves it untouched; remove or rename it"
            + " (virsh net-undefine), or recreate this KvmNetwork to get a new name");
  }

  /** Compares what kvmop declares; what libvirt adds on its own (a MAC, NAT ports) is ignored. */
  static boolean same(NetworkXml observed, NetworkXml desired) {
    return observed != null
        && Objects.equals(
            observed.withoutRuntimeState().withoutMac(), desired.withoutRuntimeState().withoutMac())
        && NetworkXml.sameMac(observed, desired);
  }
}
