package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.network.NetworkAction.Define;
import io.kvmop.network.NetworkAction.DeleteStaleLink;
import io.kvmop.network.NetworkAction.SetAutostart;
import io.kvmop.network.NetworkAction.Start;
import io.kvmop.network.NetworkAction.Stop;
import io.kvmop.network.NetworkAction.Undefine;
import io.kvmop.status.Blocker;
import io.kvmop.testing.Fixtures;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkPlannerTest {
  private static final String UID = "3f2a9c1d-0000-4000-8000-00000000beef";
  private final KvmNetwork network =
      Fixtures.network("default", "lab", UID, Fixtures.spec(NetworkMode.ISOLATED, "10.77.0.0/24"));
  private final NetworkNaming naming = NetworkRealizer.naming(network);
  private final NetworkXml desired = NetworkDesign.desired(network, naming);
  private final String name = naming.libvirtName();

  private NetworkPlan plan(
      Optional<NetworkState> current, List<HostInterface> nics, List<NetworkState> others) {
    return plan(current, nics, others, true, List.of());
  }

  private NetworkPlan plan(
      Optional<NetworkState> current,
      List<HostInterface> nics,
      List<NetworkState> others,
      boolean selected,
      List<String> problems) {
    return NetworkPlanner.plan(
        new NetworkPlanner.Input(
            UID,
            naming,
            NetworkMode.ISOLATED,
            desired,
            true,
            problems,
            selected,
            current,
            others,
            nics));
  }

  private NetworkState state(NetworkXml xml, boolean active, boolean autostart, int connections) {
    NetworkXml live =
        active
            ? new NetworkXml(
                xml.name(),
                xml.uuid(),
                xml.metadata(),
                xml.forward(),
                xml.bridge(),
                xml.mtu(),
                xml.domain(),
                xml.dns(),
                xml.ips(),
                connections)
            : null;
    return new NetworkState(xml.name(), xml.uuid(), active, autostart, true, xml, live);
  }

  /** The desired network with other mtu, dns, addresses and connection count. */
  private NetworkXml variant(
      NetworkXml.Mtu mtu, NetworkXml.Dns dns, List<NetworkXml.Ip> ips, Integer connections) {
    return new NetworkXml(
        desired.name(),
        desired.uuid(),
        desired.metadata(),
        desired.forward(),
        desired.bridge(),
        mtu,
        null,
        dns,
        ips,
        connections);
  }

  private static HostInterface nic(String name, String cidr) {
    return new HostInterface(name, List.of(Ipv4Cidr.parse(cidr).orElseThrow()));
  }

  @Test
  void aMissingNetworkIsDefinedAutostartedAndStarted() {
    NetworkPlan p = plan(Optional.empty(), List.of(nic("eth0", "192.0.2.2/24")), List.of());
    assertThat(p.actions())
        .containsExactly(new Define(desired), new SetAutostart(name, true), new Start(name));
    assertThat(p.blocker()).isNull();
  }

  @Test
  void aHealthyNetworkNeedsNothing() {
    assertThat(plan(Optional.of(state(desired, true, true, 0)), List.of(), List.of()).actions())
        .isEmpty();
  }

  @Test
  void eachKindOfDamageGetsItsRepair() {
    assertThat(plan(Optional.of(state(desired, false, true, 0)), List.of(), List.of()).actions())
        .containsExactly(new Start(name));
    assertThat(plan(Optional.of(state(desired, true, false, 0)), List.of(), List.of()).actions())
        .containsExactly(new SetAutostart(name, true));
    NetworkXml edited = variant(new NetworkXml.Mtu(9000), null, desired.ips(), null);
    NetworkState handEdited =
        new NetworkState(name, UID, true, true, true, edited, state(desired, true, true, 0).live());
    assertThat(plan(Optional.of(handEdited), List.of(), List.of()).actions())
        .containsExactly(new Define(desired));
  }

  @Test
  void aChangeThatNeedsARestartRestartsAnIdleNetwork() {
    NetworkXml old = variant(null, null, List.of(new NetworkXml.Ip("10.66.0.1", 24, null)), null);
    NetworkPlan p = plan(Optional.of(state(old, true, true, 0)), List.of(), List.of());
    assertThat(p.actions())
        .containsExactly(
            new Stop(name, "apply ipv4 changed"), new Define(desired), new Start(name));
    assertThat(p.applied().reason()).isEqualTo("Restarted");
    assertThat(p.applied().message()).contains("restarted network " + name, "ipv4 changed");
    assertThat(p.restartPending()).isNull();
  }

  private static NetworkXml withHosts(
      NetworkXml x, List<NetworkXml.DhcpHost> dhcp, List<NetworkXml.DnsHost> dns) {
    NetworkXml.Ip ip = x.ips().get(0);
    return new NetworkXml(
        x.name(),
        x.uuid(),
        x.metadata(),
        x.forward(),
        x.bridge(),
        x.mtu(),
        x.domain(),
        dns.isEmpty() ? null : new NetworkXml.Dns(null, dns),
        List.of(
            new NetworkXml.Ip(
                ip.address(),
                ip.prefix(),
                new NetworkXml.Dhcp(ip.dhcp().ranges(), dhcp.isEmpty() ? null : dhcp))),
        null);
  }

  @Test
  void reservationsAndHostRecordsChangeInPlaceEvenWithGuestsAttached() {
    var db = new NetworkXml.DhcpHost("52:54:00:00:00:10", "10.77.0.10", "db");
    var dbMoved = new NetworkXml.DhcpHost("52:54:00:00:00:10", "10.77.0.11", "db");
    var web = new NetworkXml.DhcpHost("52:54:00:00:00:20", "10.77.0.20", "web");
    var dnsDb = new NetworkXml.DnsHost("10.77.0.10", List.of("db"));
    NetworkXml running = withHosts(desired, List.of(db, web), List.of());
    NetworkXml wanted = withHosts(desired, List.of(dbMoved, web), List.of(dnsDb));
    NetworkPlan p =
        NetworkPlanner.plan(
            new NetworkPlanner.Input(
                UID,
                naming,
                NetworkMode.ISOLATED,
                wanted,
                true,
                List.of(),
                true,
                Optional.of(state(running, true, true, 3)),
                List.of(),
                List.of()));
    assertThat(p.actions())
        .containsExactly(
            new Define(wanted),
            new NetworkAction.UpdateLive(name, io.kvmop.libvirt.NetworkUpdate.delete(db)),
            new NetworkAction.UpdateLive(name, io.kvmop.libvirt.NetworkUpdate.add(dbMoved)),
            new NetworkAction.UpdateLive(name, io.kvmop.libvirt.NetworkUpdate.add(dnsDb)));
    assertThat(p.applied().reason()).isEqualTo("UpdatedLive");
    assertThat(p.applied().message())
        .contains("DHCP reservations and DNS host records", "without a restart");
    assertThat(p.restartPending()).isNull();
  }

  @Test
  void anEmptyDnsElementFromLibvirtIsNoChange() {
    NetworkXml fromLibvirt = variant(null, new NetworkXml.Dns(null, List.of()), desired.ips(), 0);
    NetworkState s = new NetworkState(name, UID, true, true, true, fromLibvirt, fromLibvirt);
    assertThat(plan(Optional.of(s), List.of(), List.of()).actions()).isEmpty();
  }

  @Test
  void aChangeThatNeedsARestartWaitsWhileGuestsAreAttached() {
    NetworkXml old = variant(null, null, List.of(new NetworkXml.Ip("10.66.0.1", 24, null)), null);
    NetworkPlan p = plan(Optional.of(state(old, true, true, 2)), List.of(), List.of());
    assertThat(p.actions()).containsExactly(new Define(desired));
    assertThat(p.restartPending())
        .contains("ipv4 changed", "2 guest interface(s) are attached", "virsh net-destroy " + name);
  }

  @Test
  void aNetworkTheNodeRoutesElsewhereBlocksTheStart() {
    HostInterface vpn =
        new HostInterface(
            "wg0",
            List.of(Ipv4Cidr.parse("172.20.0.2/32").orElseThrow()),
            List.of(Ipv4Cidr.parse("10.77.0.0/16").orElseThrow()));
    NetworkPlan p = plan(Optional.empty(), List.of(nic("eth0", "192.0.2.2/24"), vpn), List.of());
    assertThat(p.actions()).doesNotHaveAnyElementsOfTypes(Start.class);
    assertThat(p.blocker().reason()).isEqualTo("AddressConflict");
    assertThat(p.blocker().message())
        .contains(
            "the node routes 10.77.0.0/16 through wg0", "overlaps spec.ipv4.cidr 10.77.0.0/24");
  }

  @Test
  void theKernelsRouteTableIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path table = dir.resolve("route");
    java.nio.file.Files.writeString(
        table,
        "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
            + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            + "wg0\t00004D0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n");
    assertThat(io.kvmop.network.LinuxHostNetwork.routes(table))
        .containsEntry("eth0", List.of(Ipv4Cidr.parse("192.0.2.0/24").orElseThrow()))
        .containsEntry("wg0", List.of(Ipv4Cidr.parse("10.77.0.0/16").orElseThrow()));
  }

  @Test
  void anInterfaceHoldingTheAddressBlocksTheStartAndIsNamed() {
    NetworkPlan p =
        plan(
            Optional.empty(),
            List.of(nic("eth0", "192.0.2.2/24"), nic("dummy7", "10.77.0.1/24")),
            List.of());
    assertThat(p.actions()).doesNotHaveAnyElementsOfTypes(Start.class);
    assertThat(p.blocker().reason()).isEqualTo("AddressConflict");
    assertThat(p.blocker().message())
        .contains(
            "host interface dummy7 holds 10.77.0.1/24", "overlaps spec.ipv4.cidr 10.77.0.0/24");
  }

  @Test
  void anotherActiveLibvirtNetworkOnTheRangeBlocksTheStart() {
    NetworkXml theirs =
        new NetworkXml(
            "default",
            "u-2",
            null,
            new NetworkXml.Forward("nat"),
            new NetworkXml.Bridge("virbr0", null, null),
            null,
            null,
            null,
            List.of(new NetworkXml.Ip("10.77.0.1", 16, null)),
            null);
    NetworkState other = new NetworkState("default", "u-2", true, false, true, theirs, theirs);
    NetworkPlan p = plan(Optional.empty(), List.of(nic("virbr0", "10.77.0.1/16")), List.of(other));
    assertThat(p.blocker().message())
        .startsWith("libvirt network 'default' (bridge virbr0) already uses 10.77.0.1/16");
    NetworkState inactive = new NetworkState("default", "u-2", false, false, true, theirs, null);
    assertThat(plan(Optional.empty(), List.of(), List.of(inactive)).blocker()).isNull();
  }

  @Test
  void aStaleBridgeOfOurOwnNameIsRemovedBeforeStarting() {
    NetworkPlan p =
        plan(
            Optional.of(state(desired, false, true, 0)),
            List.of(nic(naming.bridge(), "10.77.0.1/24")),
            List.of());
    assertThat(p.actions()).containsExactly(new DeleteStaleLink(naming.bridge()), new Start(name));
    assertThat(p.blocker()).isNull();
  }

  @Test
  void aNetworkOfTheSameNameThatIsNotOursIsNeverTouched() {
    NetworkState foreign =
        new NetworkState(
            name, "11111111-2222-3333-4444-555555555555", false, false, true, desired, null);
    NetworkPlan p = plan(Optional.of(foreign), List.of(), List.of());
    assertThat(p.actions()).isEmpty();
    assertThat(p.blocker().reason()).isEqualTo("NameConflict");
    assertThat(p.blocker().message())
        .contains("11111111-2222-3333-4444-555555555555", "leaves it untouched");
    assertThat(NetworkPlanner.planDeletion(UID, Optional.of(foreign), List.of()).actions())
        .isEmpty();
    assertThat(plan(Optional.of(foreign), List.of(), List.of(), false, List.of()).actions())
        .isEmpty();
  }

  @Test
  void anInvalidSpecTouchesNothing() {
    NetworkPlan p =
        plan(
            Optional.of(state(desired, false, false, 0)),
            List.of(),
            List.of(),
            true,
            List.of("spec.mtu bad"));
    assertThat(p.actions()).isEmpty();
    assertThat(p.blocker()).isEqualTo(new Blocker("InvalidSpec", "spec.mtu bad"));
  }

  @Test
  void deletionWaitsForMachinesThenRemovesOnlyOurs() {
    NetworkState ours = state(desired, true, true, 0);
    NetworkPlan waiting =
        NetworkPlanner.planDeletion(UID, Optional.of(ours), List.of("default/web-1"));
    assertThat(waiting.actions()).isEmpty();
    assertThat(waiting.blocker().reason()).isEqualTo("InUse");
    assertThat(waiting.blocker().message()).contains("KvmMachine default/web-1");
    assertThat(NetworkPlanner.planDeletion(UID, Optional.of(ours), List.of()).actions())
        .containsExactly(new Stop(name, "remove"), new Undefine(name));
    assertThat(NetworkPlanner.planDeletion(UID, Optional.empty(), List.of()).actions()).isEmpty();
  }

  @Test
  void aNodeTheSelectorNoLongerPicksLetsGoOfTheNetwork() {
    NetworkPlan p =
        plan(Optional.of(state(desired, true, true, 0)), List.of(), List.of(), false, List.of());
    assertThat(p.actions()).containsExactly(new Stop(name, "remove"), new Undefine(name));
  }

  @Test
  void aBridgeModeNetworkNeverTouchesTheHostBridge() {
    KvmNetworkSpec spec = Fixtures.bridge("br0");
    KvmNetwork n = Fixtures.network("default", "lan", UID, spec);
    NetworkNaming nn = NetworkRealizer.naming(n);
    NetworkXml d = NetworkDesign.desired(n, nn);
    NetworkPlan p =
        NetworkPlanner.plan(
            new NetworkPlanner.Input(
                UID,
                nn,
                NetworkMode.BRIDGE,
                d,
                true,
                List.of(),
                true,
                Optional.empty(),
                List.of(),
                List.of(nic("br0", "192.0.2.9/24"), nic(nn.bridge(), "10.0.0.1/8"))));
    assertThat(p.actions())
        .containsExactly(
            new Define(d), new SetAutostart(nn.libvirtName(), true), new Start(nn.libvirtName()));
  }
}
