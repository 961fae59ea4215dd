package io.kvmop.libvirt;

/** A libvirt domain lifecycle event (VIR_DOMAIN_EVENT_*), reduced to what reconciles need. */
public record DomainEvent(String domain, String kind) {}
