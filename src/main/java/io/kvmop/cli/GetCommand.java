package io.kvmop.cli;

import io.kvmop.standalone.StatusTable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** kvmop get: the standalone resources as a table. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Print standalone resources as a table: kind, name, phase, node, IP, age.")
final class GetCommand implements Callable<Integer> {
  @Option(names = "--manifests", defaultValue = ".", description = "The manifest directory.")
  Path manifests;

  @Option(names = "--status-dir", description = "Where status YAML is (default DIR/.status).")
  Path statusDir;

  @Option(
      names = {"-w", "--watch"},
      description = "Then print each resource again whenever its row changes.")
  boolean watch;

  @Override
  public Integer call() throws Exception {
    Path status = statusDir != null ? statusDir : manifests.resolve(".status");
    if (!watch) {
      System.out.print(StatusTable.render(status, Instant.now()));
      return 0;
    }
    StatusTable.Watch w = new StatusTable.Watch();
    while (true) {
      System.out.print(w.next(status, Instant.now())); // only what changed, as kubectl -w
      System.out.flush();
      Thread.sleep(1000); // the status files raise no event kvmop get listens to
    }
  }
}
