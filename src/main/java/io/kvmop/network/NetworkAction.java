package io.kvmop.network;

import io.kvmop.libvirt.NetworkUpdate;
import io.kvmop.libvirt.xml.NetworkXml;

/** One step the planner asks for; the executor performs them in order. */
public sealed interface NetworkAction {
  record Define(NetworkXml xml) implements NetworkAction {}

  record Start(String name) implements NetworkAction {}

  /** Stop a running network: to apply a change that needs a restart, or before undefining. */
  record Stop(String name, String why) implements NetworkAction {}

  /** Change the running network in place; its definition is handled by {@link Define}. */
  record UpdateLive(String name, NetworkUpdate update) implements NetworkAction {}

  record Undefine(String name) implements NetworkAction {}

  record SetAutostart(String name, boolean autostart) implements NetworkAction {}

  /** Remove a leftover bridge of kvmop's own derived name that blocks the network's start. */
  record DeleteStaleLink(String link) implements NetworkAction {}
}
