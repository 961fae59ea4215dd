package io.kvmop.libvirt;

import java.util.List;

/** A guest network interface as the guest agent reports it. */
public record GuestNic(String mac, List<String> ipv4) {}
