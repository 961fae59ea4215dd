package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.NetworkXml;

/**
 * What libvirt says about one network: its persistent definition ({@code config}) and, when it
 * runs, the definition it runs with ({@code live}), which differs from config until a restart.
 */
public record NetworkState(
    String name,
    String uuid,
    boolean active,
    boolean autostart,
    boolean persistent,
    NetworkXml config,
    NetworkXml live) {

  /** Guests (or other users) attached to the running network. */
  public int connections() {
    return live == null || live.connections() == null ? 0 : live.connections();
  }

  /** The bridge device of the running network, or of its definition. */
  public String bridgeName() {
    NetworkXml x = live != null ? live : config;
    return x == null || x.bridge() == null ? null : x.bridge().name();
  }
}
