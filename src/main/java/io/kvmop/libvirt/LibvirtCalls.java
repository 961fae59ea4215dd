package io.kvmop.libvirt;

import com.sun.jna.Pointer;
import java.util.List;
import org.libvirt.LibvirtException;

/**
 * One libvirt call on the shared connection: reopened once when it turns out dead, timed and
 * reported to the observer by operation (without the names of the objects), its error kept with its
 * code. Also the look-ups the calls share.
 */
final class LibvirtCalls {
  private final LibvirtConnection connection;

  LibvirtCalls(LibvirtConnection connection) {
    this.connection = connection;
  }

  @FunctionalInterface
  interface Call<T> {
    T apply(KvmopConnect c) throws LibvirtException;
  }

  private volatile CallObserver observer = CallObserver.NONE;

  /** Every call and reconnect is reported here from now on. */
  void observe(CallObserver observer) {
    this.observer = observer;
  }

  CallObserver observer() {
    return observer;
  }

  /** The operations kvmop performs, without the names of the objects they act on. */
  private static final List<String> OPERATIONS =
      List.of(
          "attach disk",
          "attach interface",
          "build storage pool",
          "connect",
          "create snapshot",
          "create volume",
          "define domain",
          "define network",
          "define storage pool",
          "delete snapshot",
          "delete volume",
          "destroy domain",
          "detach disk",
          "detach interface",
          "freeze filesystems",
          "list domains",
          "list networks",
          "list snapshots",
          "list storage pools",
          "list volumes",
          "look up domain",
          "look up network",
          "look up snapshot",
          "look up storage pool",
          "look up volume",
          "migrate domain",
          "abort job",
          "read job",
          "start post-copy",
          "read autostart of network",
          "read dhcp leases",
          "read domain capabilities",
          "read guest agent interfaces",
          "read host facts",
          "read state of domain",
          "read libvirt version",
          "refresh storage pool",
          "resize disk",
          "revert domain",
          "resize volume",
          "set autostart of network",
          "set live memory",
          "set live metadata",
          "set live vcpus",
          "set autostart of storage pool",
          "shut down domain",
          "start domain",
          "start network",
          "start storage pool",
          "stop network",
          "thaw filesystems",
          "undefine domain",
          "undefine network",
          "update running network");

  static String kind(String operation) {
    String lower = operation.toLowerCase(java.util.Locale.ROOT);
    for (String o : OPERATIONS) {
      if (lower.startsWith(o)) {
        return o;
      }
    }
    String[] words = lower.split(" ");
    return words.length >= 2 ? words[0] + " " + words[1] : words[0];
  }

  /** One libvirt call, reported to the observer with its duration and error code. */
  <T> T call(String operation, Call<T> call) {
    long t0 = System.nanoTime();
    String code = null;
    try {
      return callRetrying(operation, call);
    } catch (LibvirtError e) {
      code = e.code();
      throw e;
    } finally {
      observer.called(kind(operation), System.nanoTime() - t0, code);
    }
  }

  /** One libvirt call that must never be made twice (a migration): no retry on a new connection. */
  <T> T callOnce(String operation, Call<T> call) {
    long t0 = System.nanoTime();
    String code = null;
    try {
      return call.apply(connection.get());
    } catch (LibvirtException e) {
      LibvirtError err = LibvirtError.of(operation, e);
      code = err.code();
      throw err;
    } finally {
      observer.called(kind(operation), System.nanoTime() - t0, code);
    }
  }

  /** One libvirt call; if the connection turns out dead, reopen it and try once more. */
  private <T> T callRetrying(String operation, Call<T> call) {
    KvmopConnect c = connection.get();
    try {
      return call.apply(c);
    } catch (LibvirtException | LibvirtError e) { // libvirt-java's, or a native call's
      if (alive(c)) {
        throw e instanceof LibvirtException x ? LibvirtError.of(operation, x) : (LibvirtError) e;
      }
      connection.forget(c);
      try {
        return call.apply(connection.get());
      } catch (LibvirtException again) {
        throw LibvirtError.of(operation, again);
      }
    }
  }

  private static boolean alive(KvmopConnect c) {
    try {
      return c.isAlive();
    } catch (LibvirtException e) {
      return false;
    }
  }

  @FunctionalInterface
  interface DomainCall {
    void apply(org.libvirt.Domain d) throws LibvirtException;
  }

  void onDomain(String operation, String name, DomainCall action) {
    call(
        operation,
        c -> {
          org.libvirt.Domain d = c.domainLookupByName(name);
          try {
            action.apply(d);
          } finally {
            d.free();
          }
          return null;
        });
  }

  /** One call on a domain through {@link NativeLibvirt}: looked up, used, freed, timed. */
  <T> T onNativeDomain(String operation, String name, NativeCall<T> fn) {
    return call(operation, c -> withNativeDomain(c, name, operation, fn));
  }

  /** A libvirt object looked up through {@link NativeLibvirt}, used, then freed. */
  @FunctionalInterface
  interface NativeCall<T> {
    T apply(Pointer object);
  }

  static <T> T withNativeNetwork(KvmopConnect c, String name, String operation, NativeCall<T> fn) {
    Pointer net = NativeLibvirt.INSTANCE.virNetworkLookupByName(c.pointer(), name);
    if (net == null) {
      throw lastError(operation);
    }
    try {
      return fn.apply(net);
    } finally {
      NativeLibvirt.INSTANCE.virNetworkFree(net);
    }
  }

  static <T> T withNativeDomain(KvmopConnect c, String name, String operation, NativeCall<T> fn) {
    Pointer dom = NativeLibvirt.INSTANCE.virDomainLookupByName(c.pointer(), name);
    if (dom == null) {
      throw lastError(operation);
    }
    try {
      return fn.apply(dom);
    } finally {
      NativeLibvirt.INSTANCE.virDomainFree(dom);
    }
  }

  /** The calling thread's last libvirt error, for calls made through {@link NativeLibvirt}. */
  static LibvirtError lastError(String operation) {
    var err = org.libvirt.jna.Libvirt.INSTANCE.virGetLastError();
    if (err == null) {
      return new LibvirtError(
          operation, LibvirtCode.UNKNOWN.libvirtName(), "", "no error reported");
    }
    return LibvirtError.of(operation, new org.libvirt.Error(err));
  }
}
