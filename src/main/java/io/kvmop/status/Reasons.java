package io.kvmop.status;

/**
 * Every reason kvmop gives, in one place: condition reasons (CamelCase, as kstatus and kubectl show
 * them) and the reasons of the Kubernetes events it emits. A reason is an API: users match on them,
 * so one is never spelled twice.
 */
public final class Reasons {
  private Reasons() {}

  public static final String LEASE = "Lease";

  public static final String CONNECTED = "Connected";

  public static final String RUNNING = "Running";

  public static final String READY = "Ready";

  public static final String KVM_USABLE = "KVMUsable";

  public static final String DISK_CLONED = "DiskCloned";
  public static final String MIGRATED = "Migrated";
  public static final String MIGRATING = "Migrating";
  public static final String MIGRATION_ABORTED = "MigrationAborted";
  public static final String MIGRATION_FAILED = "MigrationFailed";
  public static final String MIGRATION_SOURCE_LOST = "MigrationSourceLost";
  public static final String MIGRATION_FALLBACK = "MigrationFallback";
  public static final String MIGRATION_PREPARED = "MigrationPrepared";
  public static final String MIGRATION_TIMED_OUT = "MigrationTimedOut";
  public static final String NOT_MIGRATABLE = "NotMigratable";
  public static final String NO_TARGET_NODE = "NoTargetNode";
  public static final String TARGET_NOT_READY = "TargetNotReady";
  public static final String TARGET_REFUSED = "TargetRefused";
  public static final String WAITING_FOR_MACHINE = "WaitingForMachine";
  public static final String PREPARING_TARGET = "PreparingTarget";
  public static final String COPIES_DISCARDED = "CopiesDiscarded";
  public static final String LIVE_CHANGE_FAILED = "LiveChangeFailed";
  public static final String MACHINE_NOT_FOUND = "MachineNotFound";
  public static final String RESTORED = "Restored";
  public static final String RESTORING = "Restoring";
  public static final String SNAPSHOT_DELETED = "SnapshotDeleted";
  public static final String SNAPSHOT_LOST = "SnapshotLost";
  public static final String SNAPSHOT_NOT_FOUND = "SnapshotNotFound";
  public static final String SNAPSHOT_NOT_READY = "SnapshotNotReady";
  public static final String SNAPSHOT_ON_OTHER_NODE = "SnapshotOnOtherNode";
  public static final String SNAPSHOT_TAKEN = "SnapshotTaken";
  public static final String SNAPSHOT_UNSUPPORTED = "SnapshotUnsupported";
  public static final String WAITING_FOR_STOP = "WaitingForStop";
  public static final String ACTIVE = "Active";
  public static final String ADDRESS_CONFLICT = "AddressConflict";
  public static final String ALL_CHECKS_PASSED = "AllChecksPassed";
  public static final String AUTOSTART_MISMATCH = "AutostartMismatch";
  public static final String BOOT_PATH_REFUSED = "BootPathRefused";
  public static final String CHANGED_OUTSIDE_KVMOP = "ChangedOutsideKvmop";
  public static final String CLOUD_INIT_SEED_WRITTEN = "CloudInitSeedWritten";
  public static final String DEFINITION_CHANGED = "DefinitionChanged";
  public static final String DEV_KVM_PERMISSION_DENIED = "DevKvmPermissionDenied";
  public static final String DISK_CHANGE_REFUSED = "DiskChangeRefused";
  public static final String DISK_GROWN = "DiskGrown";
  public static final String DISK_SHRINK_REFUSED = "DiskShrinkRefused";
  public static final String DOWNLOADING = "Downloading";
  public static final String DYNAMIC_OWNERSHIP_FAILED = "DynamicOwnershipFailed";
  public static final String GUESTS_ATTACHED = "GuestsAttached";
  public static final String HOST_ERROR = "HostError";
  public static final String IMAGE_CHECKSUM_MISMATCH = "ImageChecksumMismatch";
  public static final String IMAGE_DOWNLOAD_FAILED = "ImageDownloadFailed";
  public static final String IMAGE_DOWNLOAD_STALLED = "ImageDownloadStalled";
  public static final String IMAGE_PATH_REFUSED = "ImagePathRefused";
  public static final String IMAGE_TOO_LARGE = "ImageTooLarge";
  public static final String IMAGE_URL_REFUSED = "ImageURLRefused";
  public static final String IN_USE = "InUse";
  public static final String INACTIVE = "Inactive";
  public static final String INSUFFICIENT_CAPACITY = "InsufficientCapacity";
  public static final String INTERNAL_ERROR = "InternalError";
  public static final String INVALID_IMAGE = "InvalidImage";
  public static final String INVALID_IMAGE_URL = "InvalidImageURL";
  public static final String INVALID_SPEC = "InvalidSpec";

  /** A field this agent could not read at all (a wrong type, a value of a newer CRD). */
  public static final String UNREADABLE = "Unreadable";

  public static final String KVM_MODULES_MISSING = "KVMModulesMissing";
  public static final String KVM_UNAVAILABLE = "KVMUnavailable";
  public static final String KVM_UNUSABLE = "KVMUnusable";
  public static final String LIBVIRT_ERROR = "LibvirtError";
  public static final String LIBVIRT_PERMISSION_DENIED = "LibvirtPermissionDenied";
  public static final String LIBVIRT_UNAVAILABLE = "LibvirtUnavailable";
  public static final String MACHINES_ATTACHED = "MachinesAttached";
  public static final String NAME_CONFLICT = "NameConflict";
  public static final String NETWORK_NOT_FOUND = "NetworkNotFound";

  /** A machine taken off a dead node and placed anew (spec.failover.policy Restart). */
  public static final String FAILED_OVER = "FailedOver";

  /** An agent cut off from its node Lease destroyed its Restart machines: they run elsewhere. */
  public static final String SELF_FENCED = "SelfFenced";

  /** A machine that failed over away: this node's stale domain removed, never started. */
  public static final String STALE_DOMAIN_REMOVED = "StaleDomainRemoved";

  public static final String NETWORK_NOT_PERMITTED = "NetworkNotPermitted";
  public static final String NETWORK_NOT_READY = "NetworkNotReady";
  public static final String NO_DISKS = "NoDisks";
  public static final String NO_IP_ADDRESS = "NoIPAddress";
  public static final String NO_INTERFACES = "NoInterfaces";
  public static final String NO_NODES = "NoNodes";
  public static final String NODE_NAME = "NodeName";
  public static final String NODE_NOT_FOUND = "NodeNotFound";
  public static final String NOT_CONNECTED = "NotConnected";
  public static final String NOT_RUNNING = "NotRunning";
  public static final String PENDING = "Pending";
  public static final String PLACED = "Placed";
  public static final String PLACEMENT_LABEL_RESTORED = "PlacementLabelRestored";
  public static final String RESTARTED = "Restarted";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SHUTTING_DOWN = "ShuttingDown";
  public static final String STORAGE_NOT_ALLOWED = "StorageNotAllowed";
  public static final String STORAGE_NOT_FOUND = "StorageNotFound";
  public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";
  public static final String CEPH_KEY_NOT_FOUND = "CephKeyNotFound";
  public static final String RBD_IMAGE_CONFLICT = "RBDImageConflict";
  public static final String RBD_IMAGE_IMPORTED = "RBDImageImported";
  public static final String RBD_IMAGE_IMPORTING = "RBDImageImporting";
  public static final String RBD_IMAGE_CREATED = "RBDImageCreated";
  public static final String RBD_IMAGE_FLATTENED = "RBDImageFlattened";
  public static final String STORAGE_FULL = "StorageFull";
  public static final String CEPH_KEY_SET = "CephKeySet";
  public static final String STORAGE_POOL_CONFLICT = "StoragePoolConflict";
  public static final String STORAGE_POOL_REPAIRED = "StoragePoolRepaired";
  public static final String TERMINATING = "Terminating";
  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String UP_TO_DATE = "UpToDate";
  public static final String UNUSED = "Unused";
  public static final String UPDATED_LIVE = "UpdatedLive";
  public static final String VOLUME_CREATED = "VolumeCreated";
  public static final String VOLUME_DELETED = "VolumeDeleted";
  public static final String VOLUME_KEPT = "VolumeKept";
  public static final String VOLUME_RETAINED = "VolumeRetained";
  public static final String WAITING_FOR_IP = "WaitingForIP";
}
