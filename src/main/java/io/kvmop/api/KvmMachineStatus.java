package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmMachineStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Scheduled, Provisioning, Starting, Running, Stopping, Stopped, Failed or"
          + " Terminating.")
  public MachinePhase phase;

  @JsonPropertyDescription("The node the machine is on.")
  public String nodeName;

  @JsonPropertyDescription("The domain's name in libvirt.")
  public String domainName;

  @JsonPropertyDescription("The domain's UUID in libvirt: the machine's metadata.uid.")
  public String domainUUID;

  @JsonPropertyDescription("What the machine actually runs with: kvm or qemu.")
  public String virtType;

  @JsonPropertyDescription("IPv4 addresses of all interfaces, first interface first.")
  public List<String> ipAddresses = new ArrayList<>();

  @JsonPropertyDescription("Per interface: MAC, network, addresses and their source.")
  public List<InterfaceStatus> interfaces = new ArrayList<>();

  @JsonPropertyDescription("Per disk: its volume, file, format and size on the node.")
  public List<DiskStatus> disks;

  @JsonPropertyDescription(
      "The instance-id in the cloud-init seed: changes whenever the seed does, so cloud-init"
          + " runs again.")
  public String cloudInitInstanceId;

  @JsonPropertyDescription(
      "The answer to the last power request (annotation kvmop.io/request, written by kvmop"
          + " start|stop|restart|pause|unpause).")
  public MachineRequestStatus request;

  @JsonPropertyDescription("The running machine's display (spec.graphics): type, address, port.")
  public GraphicsStatus graphics;

  @JsonPropertyDescription(
      "The last failover (spec.failover.policy Restart): the node it left, why and what was"
          + " fenced.")
  public FailoverStatus failover;

  @JsonPropertyDescription("File on the node receiving the serial console.")
  public String serialLogPath;

  @JsonPropertyDescription(
      "Ready, Provisioned, Running, NetworkReady, IPAssigned, KVMAvailable, RestartRequired and"
          + " AgentConnected (when spec.guestAgent).")
  public List<Condition> conditions = new ArrayList<>();
}
