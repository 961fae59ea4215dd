package io.kvmop.cli;

import io.kvmop.libvirt.ConsoleStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Joins a terminal to a console: what is typed goes to the guest, what the guest writes comes back,
 * until the escape character (Ctrl+], as in virsh console), the end of the input, or the console's
 * end.
 */
public final class ConsoleBridge {
  /** Ctrl+] */
  public static final int ESCAPE = 0x1d;

  private ConsoleBridge() {}

  /** Returns why it ended: "escape", "input closed" or "console closed". */
  public static String run(ConsoleStream console, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    String[] why = {null};
    Thread typing =
        new Thread(
            () -> {
              byte[] buf = new byte[1024];
              try {
                while (!stop.get()) {
                  int n = in.read(buf);
                  if (n < 0) {
                    why[0] = "input closed";
                    break;
                  }
                  int end = indexOf(buf, n, ESCAPE);
                  if (end > 0) {
                    console.write(buf, end);
                  }
                  if (end >= 0) {
                    why[0] = "escape";
                    break;
                  }
                  console.write(buf, n);
                }
              } catch (IOException | RuntimeException e) {
                why[0] = "input closed";
              } finally {
                stop.set(true);
              }
            },
            "kvmop-console-input");
    typing.setDaemon(true);
    typing.start();
    byte[] buf = new byte[4096];
    while (!stop.get()) {
      int n = console.read(buf);
      if (n < 0) {
        why[0] = why[0] == null ? "console closed" : why[0];
        break;
      }
      if (n == 0) {
        Thread.sleep(
            10); // libvirt's stream events need an event loop of their own; 10 ms is interactive
        continue;
      }
      out.write(buf, 0, n);
      out.flush();
    }
    stop.set(true);
    typing.join(200);
    return why[0] == null ? "console closed" : why[0];
  }

  private static int indexOf(byte[] buf, int n, int b) {
    for (int i = 0; i < n; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
