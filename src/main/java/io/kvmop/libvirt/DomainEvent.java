package io.kvmop.libvirt;

/**
 * A libvirt domain lifecycle event (VIR_DOMAIN_EVENT_*), reduced to what reconciles need; {@code
 * own} when it is the echo of kvmop's own call (a define or a start it just made).
 */
public record DomainEvent(String domain, String kind, boolean own) {
  public DomainEvent(String domain, String kind) {
    this(domain, kind, false);
  }
}
