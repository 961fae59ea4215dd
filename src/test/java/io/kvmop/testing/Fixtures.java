package io.kvmop.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.DnsHost;
import io.kvmop.api.DnsSpec;
import io.kvmop.api.HostBridgeRef;
import io.kvmop.api.Ipv4Spec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NetworkMode;
import java.util.List;

/** Small builders for test resources. */
public final class Fixtures {
  private Fixtures() {}

  public static KvmNetworkSpec spec(NetworkMode mode, String cidr) {
    KvmNetworkSpec s = new KvmNetworkSpec();
    s.mode = mode;
    if (cidr != null) {
      s.ipv4 = new Ipv4Spec(cidr);
    }
    return s;
  }

  public static KvmNetwork network(String name, KvmNetworkSpec spec) {
    return network("default", name, "3f2a9c1d-0000-4000-8000-00000000beef", spec);
  }

  public static KvmNetwork network(String ns, String name, String uid, KvmNetworkSpec spec) {
    KvmNetwork n = new KvmNetwork();
    n.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(ns)
            .withName(name)
            .withUid(uid)
            .withGeneration(1L)
            .withCreationTimestamp("2026-11-22T00:00:00Z")
            .build());
    n.setSpec(spec);
    return n;
  }

  /** The example from the API contract: every field of a nat network set. */
  public static KvmNetworkSpec fullNat() {
    KvmNetworkSpec s = spec(NetworkMode.NAT, "192.168.39.0/24");
    s.ipv4.gateway = "192.168.39.1";
    s.ipv4.dhcp = new DhcpSpec();
    s.ipv4.dhcp.start = "192.168.39.10";
    s.ipv4.dhcp.end = "192.168.39.200";
    s.ipv4.dhcp.hosts = List.of(new DhcpHost("52:54:00:00:00:10", "192.168.39.10", "db"));
    s.dns = new DnsSpec();
    s.dns.domain = "lab.internal";
    s.dns.hosts = List.of(new DnsHost("192.168.39.10", List.of("db")));
    s.mtu = 1500;
    return s;
  }

  public static KvmNetworkSpec bridge(String hostBridge) {
    KvmNetworkSpec s = spec(NetworkMode.BRIDGE, null);
    s.bridge = new HostBridgeRef(hostBridge);
    return s;
  }

  public static KvmMachine machine(String ns, String name, String... networks) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(ns)
            .withName(name)
            .withUid("7c1e0d52-0000-4000-8000-0000000000aa")
            .withGeneration(1L)
            .build());
    KvmMachineSpec spec = new KvmMachineSpec();
    for (int i = 0; i < networks.length; i++) {
      spec.interfaces.add(new MachineInterface("eth" + i, networks[i]));
    }
    m.setSpec(spec);
    return m;
  }

  /**
   * A machine booting the tiny test guest (TestGuest) with 128 MiB, on these networks, for the real
   * libvirtd: no uid or generation (the API server gives them), a 2 s shutdown timeout.
   */
  public static KvmMachine testGuest(String name, java.nio.file.Path guest, String... networks) {
    KvmMachine m = machine("default", name, networks);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().boot = new io.kvmop.api.BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    return m;
  }

  /** A disk: an overlay on the image at {@code path}, or a blank volume when path is null. */
  public static io.kvmop.api.DiskSpec disk(String name, String path, String size) {
    io.kvmop.api.DiskSpec d = new io.kvmop.api.DiskSpec();
    d.name = name;
    if (path != null) {
      d.image = new io.kvmop.api.ImageSource();
      d.image.path = path;
    }
    d.size = size;
    return d;
  }
}
