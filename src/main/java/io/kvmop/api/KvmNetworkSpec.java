package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode == 'bridge' ? has(self.bridge) : !has(self.bridge)",
    message = "spec.bridge is required with mode bridge and allowed only with mode bridge")
@ValidationRule(
    value = "self.mode != 'bridge' || !has(self.ipv4)",
    message =
        "spec.ipv4 must be absent with mode bridge: guests get addresses from the host bridge's own network")
@ValidationRule(
    value = "!(self.mode in ['nat', 'route']) || has(self.ipv4)",
    message = "spec.ipv4 is required with mode nat and route")
public class KvmNetworkSpec {

  @JsonPropertyDescription(
      "How guests reach beyond the network: nat (masquerade through the host), isolated"
          + " (guests and host only, no forwarding), route (routed without NAT), open (no"
          + " firewall rules added by libvirt) or bridge (attach to an existing host bridge"
          + " named in spec.bridge).")
  @Default("nat")
  public NetworkMode mode = NetworkMode.NAT;

  @JsonPropertyDescription("With mode bridge only: the existing host bridge to attach guests to.")
  public HostBridgeRef bridge;

  @JsonPropertyDescription(
      "IPv4 addressing of the network; absent with mode bridge, required with nat and route.")
  public Ipv4Spec ipv4;

  @JsonPropertyDescription("libvirt's DNS server (dnsmasq) on the network.")
  public DnsSpec dns;

  @JsonPropertyDescription("MTU of the network's bridge, in bytes; the kernel default when absent.")
  @Min(68)
  @Max(65535)
  public Integer mtu;

  @JsonPropertyDescription(
      "Start the network when libvirtd starts (libvirt autostart); kvmop keeps this setting"
          + " as declared.")
  @Default("true")
  public Boolean autostart = Boolean.TRUE;

  @JsonPropertyDescription(
      "Labels a node must have for the network to be realised there; empty means every node"
          + " running the kvmop agent.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription(
      "One L2 across every node that runs the network (a VXLAN tunnel between them), instead of a"
          + " separate one per node: machines on different nodes reach each other, each gets an"
          + " address no other machine has anywhere (status.addresses, served by every node's"
          + " DHCP), each node's DNS knows every machine by name, and each node is the gateway of"
          + " its own machines. A machine that migrates keeps its address. Needs the nodes'"
          + " KVMOP_OVERLAY_ADDRESS, spec.ipv4 with DHCP, and not mode bridge.")
  public SpanSpec span;

  public boolean spans() {
    return span != null;
  }

  public boolean autostartEnabled() {
    return autostart == null || autostart;
  }

  public NetworkMode modeOrDefault() {
    return mode == null ? NetworkMode.NAT : mode;
  }
}
