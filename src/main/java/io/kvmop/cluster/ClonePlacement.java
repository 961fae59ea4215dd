package io.kvmop.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import java.util.List;

/**
 * Where a clone must run: on the node of the snapshot its disks start from (the data is there). A
 * machine without spec.nodeName whose disk names a snapshot is placed only there; a snapshot held
 * in RBD images pins nothing.
 */
public final class ClonePlacement {
  private ClonePlacement() {}

  /**
   * @param node the node the snapshots are on, or null when the machine clones none
   * @param waiting why it cannot be placed yet (a snapshot missing or not taken), or null
   */
  public record Where(String node, String waiting) {}

  public static Where of(KvmMachine m, KubernetesClient client) {
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    String node = null;
    for (DiskSpec d : disks) {
      if (d.snapshot == null || d.snapshot.name == null) {
        continue;
      }
      KvmMachineSnapshot s =
          client
              .resources(KvmMachineSnapshot.class)
              .inNamespace(m.getMetadata().getNamespace())
              .withName(d.snapshot.name)
              .get();
      if (s == null || s.getStatus() == null || s.getStatus().nodeName == null) {
        return new Where(
            null,
            "disk "
                + d.name
                + " clones snapshot "
                + d.snapshot.name
                + ", which "
                + (s == null ? "does not exist" : "is not taken yet")
                + "; the machine is placed on the snapshot's node once it is");
      }
      if (io.kvmop.storage.RbdSnapshots.isRbd(s.getStatus().disks)) {
        continue; // RBD images in Ceph: every node that reaches the pool may clone it
      }
      if (node != null && !node.equals(s.getStatus().nodeName)) {
        return new Where(
            null,
            "the disks clone snapshots on two nodes ("
                + node
                + ", "
                + s.getStatus().nodeName
                + "); a machine runs on one node: clone snapshots of one node only");
      }
      node = s.getStatus().nodeName;
    }
    return new Where(node, null);
  }
}
