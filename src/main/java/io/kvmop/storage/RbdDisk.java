package io.kvmop.storage;

/**
 * One disk a machine should have on an rbd pool, resolved from the spec.
 *
 * @param image the RBD image's name (the domain, the disk and the machine's uid: this machine's)
 * @param capacity the size it should have, bytes: the larger of spec.size and the image's
 * @param sizeGiven whether spec.size was written (a smaller size is then a shrink, refused)
 * @param base the image file it is a clone of (imported once per pool), or null for a blank disk
 */
public record RbdDisk(
    String name,
    String image,
    long capacity,
    boolean sizeGiven,
    ImageFile base,
    String bus,
    String target,
    boolean retain) {

  /** A disk's image name; RBD images need no suffix, being raw. */
  public static String imageName(String domain, String disk, String uid) {
    return domain + "-" + disk + "-" + uid.replace("-", "").substring(0, 8);
  }
}
