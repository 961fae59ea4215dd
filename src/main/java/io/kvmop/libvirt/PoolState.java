package io.kvmop.libvirt;

/** What libvirt says about one storage pool. Sizes in bytes; zero while it is inactive. */
public record PoolState(
    String name,
    String uuid,
    String type,
    String path,
    boolean active,
    boolean autostart,
    boolean persistent,
    long capacity,
    long available) {}
