package io.kvmop.network;

import io.kvmop.host.HostNetworkPort;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Performs a plan's actions in order and stops at the first failure, which it explains. */
public final class NetworkExecutor {
  private final LibvirtPort libvirt;
  private final HostNetworkPort host;

  public NetworkExecutor(LibvirtPort libvirt, HostNetworkPort host) {
    this.libvirt = libvirt;
    this.host = host;
  }

  /** Empty when every action succeeded. */
  public Optional<Blocker> execute(List<NetworkAction> actions) {
    for (NetworkAction action : actions) {
      try {
        apply(action);
      } catch (LibvirtError e) {
        return Optional.of(explain(action, e));
      } catch (IllegalStateException e) {
        return Optional.of(new Blocker("HostError", e.getMessage()));
      }
    }
    return Optional.empty();
  }

  private void apply(NetworkAction action) {
    if (action instanceof NetworkAction.Define d) {
      libvirt.defineNetwork(d.xml());
    } else if (action instanceof NetworkAction.Start s) {
      libvirt.startNetwork(s.name());
    } else if (action instanceof NetworkAction.Stop s) {
      libvirt.stopNetwork(s.name());
    } else if (action instanceof NetworkAction.UpdateLive u) {
      libvirt.updateRunningNetwork(u.name(), u.update());
    } else if (action instanceof NetworkAction.Undefine u) {
      libvirt.undefineNetwork(u.name());
    } else if (action instanceof NetworkAction.SetAutostart a) {
      libvirt.setNetworkAutostart(a.name(), a.autostart());
    } else if (action instanceof NetworkAction.DeleteStaleLink l) {
      host.deleteLink(l.link());
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
  }

  /** libvirt's code and message kept; a start failing on an address becomes AddressConflict. */
  static Blocker explain(NetworkAction action, LibvirtError e) {
    String msg = e.libvirtMessage() == null ? "" : e.libvirtMessage();
    String lower = msg.toLowerCase(Locale.ROOT);
    if (action instanceof NetworkAction.Start
        && (lower.contains("address already in use")
            || lower.contains("already exists")
            || lower.contains("file exists"))) {
      return new Blocker(
          Blocker.ADDRESS_CONFLICT,
          e.operation()
              + " failed ("
              + e.code()
              + ": "
              + msg
              + "): another interface holds the network's address or bridge name; check ip -br"
              + " addr and choose another cidr");
    }
    return new Blocker(Blocker.LIBVIRT_ERROR, e.operation() + " failed (" + e.code() + "): " + msg);
  }
}
