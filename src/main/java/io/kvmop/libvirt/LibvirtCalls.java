package io.kvmop.libvirt;

import com.sun.jna.Pointer;
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

  /** One libvirt call, reported to the observer with its duration and error code. */
  <T> T call(Operation.Step step, Call<T> call) {
    String operation = step.text();
    long t0 = System.nanoTime();
    String code = null;
    try {
      return callRetrying(operation, call);
    } catch (LibvirtError e) {
      code = e.code();
      throw e;
    } finally {
      observer.called(step.kind().label(), System.nanoTime() - t0, code);
    }
  }

  /** One libvirt call that must never be made twice (a migration): no retry on a new connection. */
  <T> T callOnce(Operation.Step step, Call<T> call) {
    String operation = step.text();
    long t0 = System.nanoTime();
    String code = null;
    try {
      return call.apply(connection.get());
    } catch (LibvirtException e) {
      LibvirtError err = LibvirtError.of(operation, e);
      code = err.code();
      throw err;
    } finally {
      observer.called(step.kind().label(), System.nanoTime() - t0, code);
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

  void onDomain(Operation.Step operation, String name, DomainCall action) {
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
  <T> T onNativeDomain(Operation.Step operation, String name, NativeCall<T> fn) {
    return call(operation, c -> withNativeDomain(c, name, operation.text(), fn));
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
