package io.kvmop.cli;

import java.io.File;

/**
 * The local terminal in raw mode while a console is attached (keys go to the guest as typed, its
 * echo is the only echo), restored afterwards; through stty, as Java has no termios.
 */
final class Terminal implements AutoCloseable {
  private final String saved;

  private Terminal(String saved) {
    this.saved = saved;
  }

  /** Raw mode when {@code interactive} and a terminal is there; otherwise nothing changes. */
  static Terminal raw(boolean interactive) {
    if (!interactive || System.console() == null) {
      return new Terminal(null);
    }
    String saved = stty("-g");
    if (saved == null) {
      return new Terminal(null);
    }
    stty("raw", "-echo");
    return new Terminal(saved.strip());
  }

  @Override
  public void close() {
    if (saved != null) {
      stty(saved);
    }
  }

  private static String stty(String... args) {
    try {
      String[] cmd = new String[args.length + 1];
      cmd[0] = "stty";
      System.arraycopy(args, 0, cmd, 1, args.length);
      Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty")).start();
      String out = new String(p.getInputStream().readAllBytes());
      return p.waitFor() == 0 ? out : null;
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
