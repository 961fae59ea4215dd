package io.kvmop;

import io.kvmop.ceph.RbdPort;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.storage.RbdAccess;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An agent's ports to libvirt and to Ceph, counting every call that changes something on either
 * (one count for both); at call {@code crashAt} the agent dies, and from then on every call it
 * makes fails as if the process were gone. What the crash-at-every-step tests kill agents with.
 */
final class CrashSteps implements InvocationHandler {
  static final Set<String> CHANGES =
      Set.of(
          "defineNetwork",
          "startNetwork",
          "stopNetwork",
          "undefineNetwork",
          "setNetworkAutostart",
          "updateRunningNetwork",
          "defineDomain",
          "startDomain",
          "shutdownDomain",
          "destroyDomain",
          "undefineDomain",
          "definePool",
          "buildPool",
          "startPool",
          "setPoolAutostart",
          "refreshPool",
          "createVolume",
          "resizeVolume",
          "deleteVolume",
          "resizeDomainDisk",
          "defineSecret",
          "setSecretValue",
          "undefineSecret",
          // Ceph: every RbdPort call that writes to the pool
          "setMeta",
          "removeMeta",
          "create",
          "write",
          "snapshot",
          "protect",
          "unprotect",
          "removeSnapshot",
          "rollback",
          "flatten",
          "clone",
          "grow",
          "rename",
          "remove",
          "blocklist");

  /** How an agent dies at its n-th changing call. */
  enum Death {
    NEVER,
    BEFORE_THE_CALL,
    AFTER_THE_CALL,
    /** defineDomain: libvirt has the definition, kvmop never marked its stored form */
    BEFORE_THE_MARK
  }

  /** Thrown at the crash point; an Error, so that nothing in kvmop catches it. */
  static final class Crash extends Error {
    Crash(String at) {
      super("crashed at " + at, null, false, false);
    }
  }

  final JnaLibvirt real;
  final int crashAt;
  final Death death;
  final List<String> calls = new ArrayList<>();
  volatile String crashed;
  private final Map<String, Object> parts = new ConcurrentHashMap<>();
  private final LibvirtPort port;

  CrashSteps(JnaLibvirt real, int crashAt, Death death) {
    this.real = real;
    this.crashAt = crashAt;
    this.death = death;
    this.port =
        (LibvirtPort)
            Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {LibvirtPort.class}, this);
  }

  LibvirtPort port() {
    return port;
  }

  synchronized int count() {
    return calls.size();
  }

  @Override
  public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
    if (m.getName().equals("events")) {
      return real.events(); // listening changes nothing on the host
    }
    if (m.getReturnType().isInterface() && m.getParameterCount() == 0) {
      // a part of the port (networks, domains, storage, ...): every call through it counts
      return parts.computeIfAbsent(
          m.getName(),
          name -> {
            Object part = invokeQuietly(real, m);
            return Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {m.getReturnType()},
                (p, inner, innerArgs) -> call(part, inner, innerArgs));
          });
    }
    return call(real, m, args);
  }

  private static Object invokeQuietly(Object target, Method m) {
    try {
      return m.invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object call(Object target, Method m, Object[] args) throws Throwable {
    if (crashed != null) {
      throw new Crash(crashed); // dead: nothing it does reaches libvirt any more
    }
    if (CHANGES.contains(m.getName())) {
      String step = m.getName() + " " + describe(args);
      int n;
      synchronized (this) {
        calls.add(step);
        n = calls.size();
      }
      if (n == crashAt) {
        switch (death) {
          case BEFORE_THE_CALL -> {}
          case BEFORE_THE_MARK -> {
            if (args[0] instanceof DomainXml xml) {
              io.kvmop.libvirt.AsVirshDefines.define(real, xml);
            } else {
              reach(target, m, args);
            }
          }
          default -> {
            try {
              reach(target, m, args);
            } catch (Throwable failed) {
              // the call failed (e.g. refreshing a pool not defined yet): it dies all the same
            }
          }
        }
        crashed = step;
        throw new Crash(step);
      }
    }
    return reach(target, m, args);
  }

  private static Object reach(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static String describe(Object[] args) {
    List<String> parts = new ArrayList<>();
    for (Object a : args == null ? new Object[0] : args) {
      if (a instanceof String || a instanceof Number || a instanceof Boolean) {
        parts.add(String.valueOf(a));
      } else {
        try {
          parts.add(String.valueOf(a.getClass().getMethod("name").invoke(a)));
        } catch (ReflectiveOperationException e) {
          parts.add(a.getClass().getSimpleName());
        }
      }
    }
    return String.join(" ", parts);
  }

  /** The images ports {@code real} makes, each counted and killed as the libvirt port is. */
  RbdAccess.Ports rbd(RbdAccess.Ports real) {
    return (client, pool, namespace) -> {
      RbdPort port = real.of(client, pool, namespace);
      return (RbdPort)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {RbdPort.class},
              (p, m, args) -> call(port, m, args));
    };
  }

  /**
   * How an agent dies at changing call {@code n} of {@code last}: just before it, and after the
   * last one too. Dying just after call n leaves libvirt and Ceph as dying just before call n + 1
   * does, and a fresh agent has nothing in memory: the two are one case.
   */
  static List<Death> deaths(int n, int last) {
    return n == last
        ? List.of(Death.BEFORE_THE_CALL, Death.AFTER_THE_CALL)
        : List.of(Death.BEFORE_THE_CALL);
  }

  /** What one agent did, and where it died (null: it ran until quiet). */
  record Outcome(List<String> calls, String crashedAt) {}

  /**
   * Runs passes of {@code agent} (built on {@link #port()}) until it dies, or until a pass changes
   * nothing and {@code done} holds; then closes the libvirt connection and waits for a download the
   * dead agent had under way to finish its file in {@code scratch} (it is in-process, unlike kill
   * -9), so that the next agent does not write the same file.
   */
  Outcome run(
      io.kvmop.standalone.StandaloneAgent agent,
      java.util.function.BooleanSupplier done,
      java.nio.file.Path scratch)
      throws Exception {
    try {
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(120);
      while (java.time.Instant.now().isBefore(deadline)) {
        int before = count();
        try {
          agent.reconcileOnce();
        } catch (Crash c) {
          break;
        }
        if (crashed != null) {
          break; // died on the download thread
        }
        if (count() == before && done.getAsBoolean()) {
          return new Outcome(List.copyOf(calls), null);
        }
        if (count() == before) {
          Thread.sleep(50); // a download on its way: passes until it lands
        }
      }
      if (crashed == null) {
        throw new AssertionError("neither quiet nor dead after 120 s: " + calls);
      }
      return new Outcome(List.copyOf(calls), crashed);
    } finally {
      real.close();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () -> {
                if (!java.nio.file.Files.isDirectory(scratch)) {
                  return true;
                }
                try (var files = java.nio.file.Files.list(scratch)) {
                  return files.findAny().isEmpty();
                }
              });
    }
  }
}
