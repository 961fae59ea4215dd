package io.kvmop.libvirt;

import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop, which is process-wide in libvirt itself: registered once, before
 * the first connection opens, and run on one daemon thread. Also silences libvirt's habit of
 * printing every error to stderr; the errors still arrive as exceptions with their codes.
 */
final class LibvirtEventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtEventLoop.class);
  private static boolean started;

  private LibvirtEventLoop() {}

  static synchronized void ensureRunning() {
    if (started) {
      return;
    }
    try {
      Connect.setErrorCallback((userData, error) -> {});
      Library.initEventLoop();
    } catch (LibvirtException e) {
      throw LibvirtError.of("start libvirt event loop", e);
    }
    Thread loop =
        new Thread(
            () -> {
              while (true) {
                try {
                  Library.runEventLoop();
                  return;
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                } catch (LibvirtException e) {
                  LOG.warn("libvirt event loop iteration failed: {}", e.getMessage());
                }
              }
            },
            "libvirt-event-loop");
    loop.setDaemon(true);
    loop.start();
    started = true;
  }
}
