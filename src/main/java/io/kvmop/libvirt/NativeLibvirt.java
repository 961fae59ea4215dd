package io.kvmop.libvirt;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/** libvirt C functions that libvirt-java 0.5.4 does not wrap, called through JNA. */
interface NativeLibvirt extends Library {
  NativeLibvirt INSTANCE = Native.load("virt", NativeLibvirt.class);

  int VIR_NETWORK_EVENT_ID_LIFECYCLE = 0;

  /** void (*)(virConnectPtr, virNetworkPtr, int event, int detail, void *opaque) */
  interface NetworkLifecycleCallback extends Callback {
    void invoke(Pointer conn, Pointer net, int event, int detail, Pointer opaque);
  }

  int virConnectNetworkEventRegisterAny(
      Pointer conn,
      Pointer net,
      int eventId,
      NetworkLifecycleCallback cb,
      Pointer opaque,
      Pointer freeCb);

  int virConnectNetworkEventDeregisterAny(Pointer conn, int callbackId);

  int VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE = 0;

  /** void (*)(virConnectPtr, virStoragePoolPtr, int event, int detail, void *opaque) */
  interface PoolLifecycleCallback extends Callback {
    void invoke(Pointer conn, Pointer pool, int event, int detail, Pointer opaque);
  }

  int virConnectStoragePoolEventRegisterAny(
      Pointer conn,
      Pointer pool,
      int eventId,
      PoolLifecycleCallback cb,
      Pointer opaque,
      Pointer freeCb);

  int virConnectStoragePoolEventDeregisterAny(Pointer conn, int callbackId);

  String virStoragePoolGetName(Pointer pool);

  int VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18;
  int VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED = 1;

  /** void (*)(virConnectPtr, virDomainPtr, int state, int reason, void *opaque) */
  interface AgentLifecycleCallback extends Callback {
    void invoke(Pointer conn, Pointer dom, int state, int reason, Pointer opaque);
  }

  int virConnectDomainEventRegisterAny(
      Pointer conn,
      Pointer dom,
      int eventId,
      AgentLifecycleCallback cb,
      Pointer opaque,
      Pointer freeCb);

  int virConnectDomainEventDeregisterAny(Pointer conn, int callbackId);

  String virDomainGetName(Pointer dom);

  int virConnectSetKeepAlive(Pointer conn, int interval, int count);

  String virNetworkGetName(Pointer net);

  Pointer virNetworkLookupByName(Pointer conn, String name);

  int virNetworkFree(Pointer net);

  Pointer virDomainLookupByName(Pointer conn, String name);

  int virDomainFree(Pointer dom);

  int VIR_STREAM_NONBLOCK = 1;
  int VIR_DOMAIN_CONSOLE_FORCE = 1;
  int VIR_DOMAIN_CONSOLE_SAFE = 2;

  Pointer virStreamNew(Pointer conn, int flags);

  int virDomainOpenConsole(Pointer dom, String devName, Pointer stream, int flags);

  /** Bytes read, 0 at the end, -1 on error, -2 when a non-blocking stream has nothing yet. */
  int virStreamRecv(Pointer stream, byte[] data, com.sun.jna.NativeLong nbytes);

  int virStreamSend(Pointer stream, byte[] data, com.sun.jna.NativeLong nbytes);

  int virStreamFinish(Pointer stream);

  int virStreamAbort(Pointer stream);

  int virStreamFree(Pointer stream);

  int virDomainGetState(Pointer dom, IntByReference state, IntByReference reason, int flags);

  int virDomainIsPersistent(Pointer dom);

  int virDomainIsActive(Pointer dom);

  /** Returns a string the caller frees. */
  Pointer virDomainGetXMLDesc(Pointer dom, int flags);

  /** Writes the UUID's 36 characters and a NUL into {@code buf} (no call to the daemon). */
  int virDomainGetUUIDString(Pointer dom, byte[] buf);

  int VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1;
  int VIR_DOMAIN_SHUTDOWN_GUEST_AGENT = 2;

  int virDomainShutdownFlags(Pointer dom, int flags);

  int virDomainMigrateStartPostCopy(Pointer dom, int flags);

  /** Returns a string the caller frees. */
  Pointer virConnectGetDomainCapabilities(
      Pointer conn, String emulatorbin, String arch, String machine, String virttype, int flags);

  int VIR_NETWORK_UPDATE_AFFECT_LIVE = 1;

  int virNetworkUpdate(
      Pointer net, int command, int section, int parentIndex, String xml, int flags);

  int virNetworkGetDHCPLeases(Pointer net, String mac, PointerByReference leases, int flags);

  void virNetworkDHCPLeaseFree(Pointer lease);

  /** struct _virNetworkDHCPLease */
  @Structure.FieldOrder({
    "iface",
    "expirytime",
    "type",
    "mac",
    "iaid",
    "ipaddr",
    "prefix",
    "hostname",
    "clientid"
  })
  class VirNetworkDhcpLease extends Structure {
    public String iface;
    public long expirytime;
    public int type;
    public String mac;
    public String iaid;
    public String ipaddr;
    public int prefix;
    public String hostname;
    public String clientid;

    VirNetworkDhcpLease(Pointer p) {
      super(p);
      read();
    }
  }

  Pointer virDomainSnapshotLookupByName(Pointer dom, String name, int flags);

  int VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING = 1;
  int VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED = 2;

  int virDomainRevertToSnapshot(Pointer snapshot, int flags);

  int virDomainSnapshotFree(Pointer snapshot);

  int virDomainFSFreeze(Pointer dom, String[] mountpoints, int nmountpoints, int flags);

  int virDomainFSThaw(Pointer dom, String[] mountpoints, int nmountpoints, int flags);
}
