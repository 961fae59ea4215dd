package io.kvmop.disk;

/**
 * One volume a machine should have on its node, resolved from the spec and the image.
 *
 * @param capacity the virtual size it should have, bytes: the larger of spec.size and the image's
 * @param sizeGiven whether spec.size was written (then a smaller size than the volume's is a
 *     shrink, refused)
 * @param backingPath the base image for an overlay, or null for a blank volume
 */
public record DesiredDisk(
    String name,
    String volume,
    String path,
    String format,
    long capacity,
    boolean sizeGiven,
    String backingPath,
    String backingFormat,
    String bus,
    String target,
    boolean retain) {}
