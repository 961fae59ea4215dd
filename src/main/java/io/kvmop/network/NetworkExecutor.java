package io.kvmop.network;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.List;
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
        return Optional.of(explain(e));
      } catch (IllegalStateException e) {
        return Optional.of(new Blocker(Reasons.HOST_ERROR, e.getMessage()));
      }
    }
    return Optional.empty();
  }

  private void apply(NetworkAction action) {
    if (action instanceof NetworkAction.Define d) {
      libvirt.networks().defineNetwork(d.xml());
    } else if (action instanceof NetworkAction.Start s) {
      libvirt.networks().startNetwork(s.name());
    } else if (action instanceof NetworkAction.Stop s) {
      libvirt.networks().stopNetwork(s.name());
    } else if (action instanceof NetworkAction.UpdateLive u) {
      libvirt.networks().updateRunningNetwork(u.name(), u.update());
    } else if (action instanceof NetworkAction.Undefine u) {
      libvirt.networks().undefineNetwork(u.name());
    } else if (action instanceof NetworkAction.SetAutostart a) {
      libvirt.networks().setNetworkAutostart(a.name(), a.autostart());
    } else if (action instanceof NetworkAction.DeleteStaleLink l) {
      host.deleteLink(l.link());
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
  }

  /** libvirt's code and message kept, with the reason and fix the error table gives. */
  static Blocker explain(LibvirtError e) {
    LibvirtErrors.Explained x = LibvirtErrors.explain(e);
    return new Blocker(x.reason(), x.message());
  }
}
