package io.kvmop.libvirt;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.kvmop.libvirt.Operation.Step;

/**
 * A console stream from virDomainOpenConsole, non-blocking (libvirt-java 0.5.4 wraps neither the
 * call nor a stream it could be given to, so both go through JNA).
 */
final class JnaConsole implements ConsoleStream {
  private final Pointer stream;
  private final String operation;
  private volatile boolean closed;

  private JnaConsole(Pointer stream, String operation) {
    this.stream = stream;
    this.operation = operation;
  }

  /** Attaches to the domain's first console; {@code force} takes it from another session. */
  static ConsoleStream open(LibvirtCalls calls, String domain, boolean force) {
    Step operation = Operation.OPEN_CONSOLE.as("open console of domain " + domain);
    return calls.call(
        operation,
        c -> {
          NativeLibvirt lib = NativeLibvirt.INSTANCE;
          Pointer st = lib.virStreamNew(c.pointer(), NativeLibvirt.VIR_STREAM_NONBLOCK);
          if (st == null) {
            throw LibvirtCalls.lastError(operation.text());
          }
          int flags =
              force
                  ? NativeLibvirt.VIR_DOMAIN_CONSOLE_FORCE
                  : NativeLibvirt.VIR_DOMAIN_CONSOLE_SAFE;
          LibvirtCalls.withNativeDomain(
              c,
              domain,
              operation.text(),
              dom -> {
                if (lib.virDomainOpenConsole(dom, null, st, flags) < 0) {
                  // read before the domain is freed: that call resets the thread's last error
                  LibvirtError e = LibvirtCalls.lastError(operation.text());
                  lib.virStreamFree(st);
                  throw e;
                }
                return null;
              });
          return new JnaConsole(st, operation.text());
        });
  }

  @Override
  public int read(byte[] buf) {
    if (closed) {
      return -1;
    }
    int n = NativeLibvirt.INSTANCE.virStreamRecv(stream, buf, new NativeLong(buf.length));
    if (n == -2) {
      return 0;
    }
    if (n == 0) {
      return -1;
    }
    if (n < 0) {
      throw LibvirtCalls.lastError(operation);
    }
    return n;
  }

  @Override
  public void write(byte[] buf, int length) {
    byte[] rest = java.util.Arrays.copyOf(buf, length);
    int off = 0;
    while (off < length && !closed) {
      byte[] part = off == 0 ? rest : java.util.Arrays.copyOfRange(rest, off, length);
      int n = NativeLibvirt.INSTANCE.virStreamSend(stream, part, new NativeLong(part.length));
      if (n == -2) {
        Thread.onSpinWait();
        continue;
      }
      if (n < 0) {
        throw LibvirtCalls.lastError(operation);
      }
      off += n;
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (NativeLibvirt.INSTANCE.virStreamFinish(stream) < 0) {
        NativeLibvirt.INSTANCE.virStreamAbort(stream);
      }
      NativeLibvirt.INSTANCE.virStreamFree(stream);
    }
  }
}
