package io.kvmop.libvirt;

/** A domain's serial console, attached through libvirt (as virsh console attaches). */
public interface ConsoleStream extends AutoCloseable {
  /** Bytes read into {@code buf}; 0 when nothing is there yet; -1 when the console closed. */
  int read(byte[] buf);

  void write(byte[] buf, int length);

  @Override
  void close();
}
