package io.kvmop.standalone;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The problems of the manifests as a pass found them (documents not applied, files that cannot be
 * read): each logged once, when it first shows, not on every pass; and all of them in the status
 * directory for {@code kvmop get} ({@link StatusTable#PROBLEMS}), written only when they changed.
 */
final class ManifestProblems {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestProblems.class);

  private final StatusStore store;
  private Set<String> logged = Set.of();

  /** The file as last written ("" when there is none; null before the first pass). */
  private String written;

  ManifestProblems(StatusStore store) {
    this.store = store;
  }

  void report(List<Manifests.Problem> problems) throws IOException {
    Set<String> now = new LinkedHashSet<>();
    for (Manifests.Problem p : problems) {
      String line = p.toString();
      if (now.add(line) && !logged.contains(line)) {
        LOG.warn("{}", line);
      }
    }
    logged = now;
    Path f = store.root().resolve(StatusTable.PROBLEMS);
    String text =
        problems.isEmpty()
            ? ""
            : io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                problems.stream()
                    .map(
                        p ->
                            Map.of(
                                "file",
                                p.file().toString(),
                                "line",
                                p.line(),
                                "message",
                                p.message()))
                    .toList());
    if (text.equals(written)) {
      return;
    }
    if (text.isEmpty()) {
      store.delete(f);
    } else {
      store.write(f, text);
    }
    written = text;
  }
}
