package io.kvmop.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Supplier;

/**
 * A local TCP port on 127.0.0.1 whose every connection is joined to a new connection elsewhere: a
 * TCP address reachable from here ({@code --local}), or a relay run in the node's agent pod. Only
 * the loopback address listens, so nobody else on this machine's network can use it.
 */
public final class TcpRelay implements AutoCloseable {
  /** One connection to the far end: what it reads and what it writes. */
  public interface Far extends AutoCloseable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    @Override
    void close();
  }

  private final ServerSocket server;
  private final Thread acceptor;

  private TcpRelay(ServerSocket server, Supplier<Far> far) {
    this.server = server;
    this.acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  Far f = far.get();
                  pump(s.getInputStream(), f.out(), () -> closeQuietly(s, f));
                  pump(f.in(), s.getOutputStream(), () -> closeQuietly(s, f));
                } catch (IOException | RuntimeException e) {
                  if (!server.isClosed()) {
                    System.err.println("kvmop: relay: " + e.getMessage());
                  }
                }
              }
            },
            "kvmop-relay-accept");
    acceptor.setDaemon(true);
  }

  /** Listens on 127.0.0.1:{@code localPort} (0: any free port). */
  public static TcpRelay listen(int localPort, Supplier<Far> far) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort));
    TcpRelay r = new TcpRelay(s, far);
    r.acceptor.start();
    return r;
  }

  /** A far end that is a TCP address reachable from this process. */
  public static Supplier<Far> tcp(String host, int port) {
    return () -> {
      try {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        return new Far() {
          @Override
          public InputStream in() throws IOException {
            return s.getInputStream();
          }

          @Override
          public OutputStream out() throws IOException {
            return s.getOutputStream();
          }

          @Override
          public void close() {
            closeQuietly(s, null);
          }
        };
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot reach " + host + ":" + port, e);
      }
    };
  }

  public int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
  }

  /** Copies until either side ends, then closes both. */
  static void pump(InputStream from, OutputStream to, Runnable done) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                  to.write(buf, 0, n);
                  to.flush();
                }
              } catch (IOException e) {
                // the other side went away
              } finally {
                done.run();
              }
            },
            "kvmop-relay");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s, Far f) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
    if (f != null) {
      f.close();
    }
  }
}
