package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusTableTest {
  @TempDir Path status;

  private Path file(String kind, String name, String body) throws Exception {
    Path f =
        Files.createDirectories(status.resolve(kind).resolve("default")).resolve(name + ".yaml");
    Files.writeString(f, body);
    return f;
  }

  @Test
  void aRowPerResourceWithPhaseNodeFirstAddressAndAgeSinceCreation() throws Exception {
    Instant now = Instant.parse("2026-11-22T12:00:00Z");
    Path vm =
        file(
            "KvmMachine",
            "web",
            """
            kind: KvmMachine
            name: web
            namespace: default
            uid: u1
            created: "2026-11-22T10:30:00Z"
            status:
              phase: Running
              nodeName: host-a
              ipAddresses: [10.0.0.5, 10.0.0.6]
            """);
    // the status was rewritten a second ago (an address came): AGE still counts from creation
    Files.setLastModifiedTime(vm, FileTime.from(now.minusSeconds(1)));
    Path net =
        file(
            "KvmNetwork",
            "lab",
            """
            kind: KvmNetwork
            name: lab
            namespace: default
            uid: u2
            status:
              phase: Ready
              nodes: [{node: host-a}]
            """);
    Files.setLastModifiedTime(net, FileTime.from(now.minusSeconds(42)));
    Files.writeString(status.resolve(DirectoryLock.FILE), "kvmop run, pid 1\n");

    String table = StatusTable.render(status, now);

    assertThat(table.lines())
        .containsExactly(
            "KIND         NAME          PHASE     NODE     IP         AGE",
            "KvmMachine   default/web   Running   host-a   10.0.0.5   1h",
            "KvmNetwork   default/lab   Ready     host-a              42s");
  }

  private static String vm(String name, String phase) {
    return "kind: KvmMachine\nname: "
        + name
        + "\nnamespace: default\ncreated: \"2026-11-22T10:00:00Z\"\nstatus:\n  phase: "
        + phase
        + "\n";
  }

  @Test
  void watchingPrintsTheTableOnceThenOnlyWhatChanged() throws Exception {
    Instant now = Instant.parse("2026-11-22T12:00:00Z");
    file("KvmMachine", "a", vm("a", "Running"));
    Path b = file("KvmMachine", "b", vm("b", "Pending"));
    StatusTable.Watch w = new StatusTable.Watch();
    assertThat(w.next(status, now).lines()).hasSize(3).first().asString().startsWith("KIND");
    assertThat(w.next(status, now.plusSeconds(1))).as("nothing changed: nothing printed").isEmpty();
    file("KvmMachine", "b", vm("b", "Running"));
    assertThat(w.next(status, now.plusSeconds(2)).lines())
        .singleElement()
        .asString()
        .contains("default/b", "Running");
    Files.delete(b);
    Files.writeString(
        status.resolve(StatusTable.PROBLEMS),
        "- {file: /m/odd.yaml, line: 1, message: the document is a list}\n");
    assertThat(w.next(status, now.plusSeconds(3)))
        .contains("default/b", "Deleted")
        .contains("NOT APPLIED", "/m/odd.yaml:1: the document is a list")
        .doesNotContain("default/a");
  }
}
