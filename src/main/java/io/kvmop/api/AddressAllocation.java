package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One machine interface's address on a spanning network, the same on every node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressAllocation {
  @JsonPropertyDescription("The interface's MAC address.")
  public String mac;

  @JsonPropertyDescription("Its IPv4 address: every node's DHCP server hands out this one.")
  public String ip;

  @JsonPropertyDescription("The KvmMachine (in the network's namespace) and its interface.")
  public String machine;

  public String interfaceName;

  @JsonPropertyDescription("The machine's uid (a new machine of the same name gets its own).")
  public String machineUid;

  @JsonPropertyDescription("When it was given (RFC 3339).")
  public String since;

  public AddressAllocation() {}

  public AddressAllocation(
      String mac,
      String ip,
      String machine,
      String interfaceName,
      String machineUid,
      String since) {
    this.mac = mac;
    this.ip = ip;
    this.machine = machine;
    this.interfaceName = interfaceName;
    this.machineUid = machineUid;
    this.since = since;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressAllocation a
        && java.util.Objects.equals(mac, a.mac)
        && java.util.Objects.equals(ip, a.ip)
        && java.util.Objects.equals(machine, a.machine)
        && java.util.Objects.equals(interfaceName, a.interfaceName)
        && java.util.Objects.equals(machineUid, a.machineUid)
        && java.util.Objects.equals(since, a.since);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(mac, ip, machine, interfaceName, machineUid, since);
  }
}
