package io.kvmop.storage;

/**
 * One disk a machine should have on an rbd pool, resolved from the spec.
 *
 * @param image the RBD image's name (the domain, the disk and the machine's uid: this machine's)
 * @param capacity the size it should have, bytes: the larger of spec.size and the image's
 * @param sizeGiven whether spec.size was written (a smaller size is then a shrink, refused)
 * @param base the image file it is a clone of (imported once per pool), or null for a blank disk
 * @param from the machine snapshot it starts as, or null
 */
public record RbdDisk(
    String name,
    String image,
    long capacity,
    boolean sizeGiven,
    ImageFile base,
    String bus,
    String target,
    boolean retain,
    FromSnapshot from) {

  /**
   * A disk that starts as a disk of a KvmMachineSnapshot on an rbd pool: a clone of that image's
   * RBD snapshot. Once the image exists it is an ordinary image (the snapshot may be gone since).
   *
   * @param image the snapshotted machine's image, which must still carry {@code machineUid}
   * @param notYet why it cannot be cloned now (the snapshot is not Ready), or null
   */
  public record FromSnapshot(
      String snapshot,
      String image,
      String snap,
      String machineUid,
      long capacity,
      io.kvmop.status.Blocker notYet) {}

  /** A disk's image name; RBD images need no suffix, being raw. */
  public static String imageName(String domain, String disk, String uid) {
    return domain + "-" + disk + "-" + uid.replace("-", "").substring(0, 8);
  }
}
