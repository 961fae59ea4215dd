package io.kvmop.libvirt;

/**
 * Every kind of libvirt call kvmop makes: what the metrics count calls by, and what a test's fake
 * fails on. A call's own text names its objects too ({@link #on}).
 */
public enum Operation {
  ATTACH_DISK("attach disk"),
  ATTACH_INTERFACE("attach interface"),
  BUILD_STORAGE_POOL("build storage pool"),
  CONNECT("connect"),
  CREATE_SNAPSHOT("create snapshot"),
  CLONE_VOLUME("clone volume"),
  CREATE_VOLUME("create volume"),
  DEFINE_SECRET("define secret"),
  DEFINE_DOMAIN("define domain"),
  DEFINE_NETWORK("define network"),
  DEFINE_STORAGE_POOL("define storage pool"),
  DELETE_SNAPSHOT("delete snapshot"),
  DELETE_VOLUME("delete volume"),
  DESTROY_DOMAIN("destroy domain"),
  DETACH_DISK("detach disk"),
  DETACH_INTERFACE("detach interface"),
  FREEZE_FILESYSTEMS("freeze filesystems"),
  LIST_DOMAINS("list domains"),
  LIST_NETWORKS("list networks"),
  LIST_SNAPSHOTS("list snapshots"),
  LIST_STORAGE_POOLS("list storage pools"),
  LIST_VOLUMES("list volumes"),
  LOOK_UP_DOMAIN("look up domain"),
  LOOK_UP_SECRET("look up secret"),
  LOOK_UP_NETWORK("look up network"),
  LOOK_UP_SNAPSHOT("look up snapshot"),
  LOOK_UP_STORAGE_POOL("look up storage pool"),
  LOOK_UP_VOLUME("look up volume"),
  MIGRATE_DOMAIN("migrate domain"),
  ABORT_JOB("abort job"),
  READ_JOB("read job"),
  START_POST_COPY("start post-copy"),
  READ_AUTOSTART_OF_NETWORK("read autostart of network"),
  READ_DHCP_LEASES("read dhcp leases"),
  READ_DOMAIN_CAPABILITIES("read domain capabilities"),
  READ_GUEST_AGENT_INTERFACES("read guest agent interfaces"),
  READ_HOST_FACTS("read host facts"),
  READ_STATE_OF_DOMAIN("read state of domain"),
  READ_LIBVIRT_VERSION("read libvirt version"),
  REFRESH_STORAGE_POOL("refresh storage pool"),
  RESIZE_DISK("resize disk"),
  REVERT_DOMAIN("revert domain"),
  RESIZE_VOLUME("resize volume"),
  SET_AUTOSTART_OF_NETWORK("set autostart of network"),
  SET_SECRET_VALUE("set secret value"),
  SET_LIVE_MEMORY("set live memory"),
  SET_LIVE_METADATA("set live metadata"),
  SET_LIVE_VCPUS("set live vcpus"),
  SET_AUTOSTART_OF_STORAGE_POOL("set autostart of storage pool"),
  SHUT_DOWN_DOMAIN("shut down domain"),
  START_DOMAIN("start domain"),
  START_NETWORK("start network"),
  START_STORAGE_POOL("start storage pool"),
  STOP_NETWORK("stop network"),
  THAW_FILESYSTEMS("thaw filesystems"),
  UNDEFINE_DOMAIN("undefine domain"),
  UNDEFINE_NETWORK("undefine network"),
  UNDEFINE_SECRET("undefine secret"),
  UPDATE_RUNNING_NETWORK("update running network"),
  SUSPEND_DOMAIN("suspend domain"),
  RESUME_DOMAIN("resume domain"),
  OPEN_CONSOLE("open console");

  private final String label;

  Operation(String label) {
    this.label = label;
  }

  /** The kind without any object's name, e.g. "define domain". */
  public String label() {
    return label;
  }

  /** This kind of call on one object: "start domain web". */
  public Step on(String object) {
    return new Step(this, label + " " + object);
  }

  /** This kind of call with nothing named: "list domains". */
  public Step alone() {
    return new Step(this, label);
  }

  /** This kind of call, worded in full ("resize volume v to 10 bytes"). */
  public Step as(String text) {
    return new Step(this, text);
  }

  /** One call: its kind, and its text for logs and errors. */
  public record Step(Operation kind, String text) {
    @Override
    public String toString() {
      return text;
    }
  }
}
