package io.kvmop.status;

/**
 * Every condition type kvmop writes, in one place: Ready and kstatus's Reconciling and Stalled on
 * every kind, the machine's and the network's own (docs/kvmmachine.md and docs/kvmnetwork.md say
 * what each means).
 */
public final class ConditionTypes {
  private ConditionTypes() {}

  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  // a machine's
  public static final String SCHEDULED = "Scheduled";
  public static final String PROVISIONED = "Provisioned";
  public static final String RUNNING = "Running";
  public static final String NETWORK_READY = "NetworkReady";
  public static final String IP_ASSIGNED = "IPAssigned";
  public static final String KVM_AVAILABLE = "KVMAvailable";
  public static final String RESTART_REQUIRED = "RestartRequired";
  public static final String AGENT_CONNECTED = "AgentConnected";
  public static final String REDEFINED = "Redefined";

  // a network's
  public static final String IN_USE = "InUse";
}
