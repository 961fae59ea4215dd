package io.kvmop.cli;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvmop relay --to HOST:PORT}: joins its standard input and output to one TCP connection;
 * what {@code kvmop vnc}, {@code port-forward} and {@code ssh} run in the agent pod through exec.
 */
@Command(name = "relay", hidden = true, description = "Join stdin/stdout to HOST:PORT.")
public final class RelayCommand implements Callable<Integer> {
  @Option(names = "--to", required = true, description = "HOST:PORT")
  String to;

  @Override
  public Integer call() throws Exception {
    int colon = to.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(
          new InetSocketAddress(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1))),
          10_000);
      CountDownLatch done = new CountDownLatch(1);
      TcpRelay.pump(System.in, s.getOutputStream(), done::countDown);
      TcpRelay.pump(s.getInputStream(), System.out, done::countDown);
      done.await();
    }
    return 0;
  }
}
