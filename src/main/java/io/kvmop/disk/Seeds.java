package io.kvmop.disk;

import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A machine's cloud-init NoCloud seed: built from its spec and its Secret, written under a name
 * carrying its hash (readable by root and QEMU's group only), older ones removed once unused.
 */
final class Seeds {
  private final StorageConfig config;
  private final PoolListing listing;

  Seeds(StorageConfig config, PoolListing listing) {
    this.config = config;
    this.listing = listing;
  }

  /** The seed a machine's spec and Secret make, or why there is none. */
  record Built(CloudInitSeed seed, Blocker blocker) {}

  static Built build(KvmMachine m, CloudInitSpec ci, DiskProvisioner.Secrets secrets) {
    try {
      Optional<String> userData = userData(m, ci, secrets);
      if (userData == null) {
        return new Built(
            null,
            new Blocker(
                Reasons.SECRET_NOT_FOUND,
                "spec.cloudInit.userDataSecretRef: Secret "
                    + m.getMetadata().getNamespace()
                    + "/"
                    + ci.userDataSecretRef.name
                    + " has no key "
                    + ci.userDataSecretRef.keyOrDefault()
                    + " (or does not exist); create it, kvmop picks it up"));
      }
      return new Built(
          CloudInitSeed.build(
              m.getMetadata().getUid(),
              m.getMetadata().getName(),
              userData.orElse(null),
              ci.networkData,
              ci.sshAuthorizedKeys),
          null);
    } catch (CloudInitSeed.InvalidSeed e) {
      return new Built(null, new Blocker(Reasons.INVALID_SPEC, e.getMessage()));
    }
  }

  /** The user-data: inline, from the Secret, or none; null when the Secret key is missing. */
  private static Optional<String> userData(
      KvmMachine m, CloudInitSpec ci, DiskProvisioner.Secrets secrets)
      throws CloudInitSeed.InvalidSeed {
    if (ci.userDataSecretRef == null) {
      return Optional.ofNullable(ci.userData);
    }
    Optional<String> v;
    try {
      v =
          secrets.get(
              m.getMetadata().getNamespace(),
              ci.userDataSecretRef.name,
              ci.userDataSecretRef.keyOrDefault());
    } catch (IllegalArgumentException notBase64) {
      throw new CloudInitSeed.InvalidSeed(
          "spec.cloudInit.userDataSecretRef: the data of key "
              + ci.userDataSecretRef.keyOrDefault()
              + " in Secret "
              + m.getMetadata().getNamespace()
              + "/"
              + ci.userDataSecretRef.name
              + " is not base64 (a Secret's data is; use stringData for plain text)");
    }
    return v.isPresent() ? v : null;
  }

  /**
   * Writes the seed under a name carrying its hash, so a changed seed is a new file (the running
   * guest keeps reading the old one until it restarts), and removes this machine's older seeds that
   * no definition uses any more.
   */
  String write(String domain, CloudInitSeed seed, Set<String> attached, List<Happened> done)
      throws IOException {
    String name = DiskNames.seedPrefix(domain) + seed.hash() + ".iso";
    Path target = Path.of(config.volumePath(name));
    boolean changed = false;
    if (!Files.isRegularFile(target)) {
      changed = true;
      Path tmp = Scratch.reserve(config.scratchDir(), name + ".part");
      SeedIso.write(seed.files(), tmp);
      restrict(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Scratch.removeIfEmpty(config.scratchDir());
      done.add(
          new Happened(
              Reasons.CLOUD_INIT_SEED_WRITTEN,
              "wrote cloud-init seed " + target + " (instance-id " + seed.instanceId() + ")"));
    }
    try (var files = Files.list(Path.of(config.poolPath()))) {
      for (Path old :
          files
              .filter(f -> f.getFileName().toString().startsWith(DiskNames.seedPrefix(domain)))
              .filter(f -> f.getFileName().toString().endsWith(".iso"))
              .filter(f -> !f.equals(target) && !attached.contains(f.toString()))
              .toList()) {
        changed |= Files.deleteIfExists(old);
      }
    }
    if (changed) {
      listing.refresh();
    } else {
      listing.ensureListed(name); // a run may have died between writing it and the refresh
    }
    return target.toString();
  }

  /**
   * A seed holds user-data (from a Secret, perhaps): not world-readable. Readable by root and by
   * the kvm group QEMU runs in (libvirt relabels it for QEMU when it starts the domain anyway).
   */
  static void restrict(Path file) throws IOException {
    var view =
        Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      view.setGroup(
          file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("kvm"));
      view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    } catch (java.nio.file.attribute.UserPrincipalNotFoundException | SecurityException e) {
      view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
  }
}
