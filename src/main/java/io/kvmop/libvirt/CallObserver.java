package io.kvmop.libvirt;

/** Told about every libvirt call the adapter makes: for metrics. Must be fast and never throw. */
public interface CallObserver {
  /**
   * @param operation what kind of call, without the object's name (e.g. "define domain")
   * @param errorCode libvirt's error code when it failed, else null
   */
  void called(String operation, long nanos, String errorCode);

  /** The connection to libvirt was lost and is back. */
  void reconnected();

  CallObserver NONE =
      new CallObserver() {
        @Override
        public void called(String operation, long nanos, String errorCode) {}

        @Override
        public void reconnected() {}
      };
}
