package io.kvmop.libvirt;

/**
 * What libvirt says about one volume: its file, format, virtual size ({@code capacity}, bytes), and
 * the image it is an overlay on, if any.
 */
public record VolumeState(
    String name,
    String path,
    String format,
    long capacity,
    long allocation,
    String backingPath,
    String backingFormat) {}
