package io.kvmop.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.storage.StorageCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node admin's KvmStoragePools for a standalone kvmop ({@code --storage-pools DIR}): every
 * KvmStoragePool document in DIR's *.yaml files, never the manifest directory (a GitOps checkout
 * cannot widen what the admin offers), and the Ceph keys as files beside them, {@code
 * DIR/keys/SECRET/KEY} (what a Secret's name and key name in the cluster). Read again when a file
 * changes; a file that cannot be read is named in the log and offers nothing.
 */
public final class PoolDirectory implements StorageCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(PoolDirectory.class);
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).findAndRegisterModules();
  private static final Pattern SECRET = Pattern.compile("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$");
  private static final Pattern KEY = Pattern.compile("^[-_a-zA-Z0-9][-._a-zA-Z0-9]*$");

  private final Path dir;
  private volatile String stamp = "";
  private volatile List<KvmStoragePool> pools = List.of();

  public PoolDirectory(Path dir) {
    this.dir = dir;
  }

  @Override
  public synchronized List<KvmStoragePool> pools() {
    List<Path> files = files();
    StringBuilder now = new StringBuilder();
    for (Path f : files) {
      try {
        now.append(f).append('@').append(Files.getLastModifiedTime(f).toMillis()).append(';');
      } catch (IOException e) {
        now.append(f).append("@?;");
      }
    }
    if (!now.toString().equals(stamp)) {
      pools = read(files);
      stamp = now.toString();
    }
    return pools;
  }

  private List<Path> files() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().matches(".*\\.ya?ml$"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      LOG.warn("cannot list the storage pool directory {}: {}", dir, e.getMessage());
      return List.of();
    }
  }

  private static List<KvmStoragePool> read(List<Path> files) {
    List<KvmStoragePool> out = new ArrayList<>();
    for (Path f : files) {
      try (var p = YAML.getFactory().createParser(f.toFile())) {
        for (JsonNode doc : YAML.readValues(p, JsonNode.class).readAll()) {
          if (doc == null || !"KvmStoragePool".equals(doc.path("kind").asText())) {
            continue;
          }
          KvmStoragePool pool = YAML.treeToValue(doc, KvmStoragePool.class);
          String name = pool.getMetadata() == null ? null : pool.getMetadata().getName();
          if (name == null || pool.getSpec() == null || pool.getSpec().type == null) {
            LOG.warn("{}: a KvmStoragePool without metadata.name or spec.type is ignored", f);
            continue;
          }
          // the same on every run: the Ceph key's libvirt secret is derived from it
          pool.getMetadata().setUid(StandaloneIds.uid("pools", "KvmStoragePool", "", name));
          out.add(pool);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: not read, offers no pool: {}", f, e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Optional<String> key(CephKeyRef ref) {
    if (ref == null
        || ref.name == null
        || !SECRET.matcher(ref.name).matches()
        || !KEY.matcher(ref.keyOrDefault()).matches()) {
      return Optional.empty();
    }
    Path f = dir.resolve("keys").resolve(ref.name).resolve(ref.keyOrDefault());
    try {
      return Files.isRegularFile(f)
          ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public String keyPlace() {
    return "directory " + dir.resolve("keys");
  }
}
