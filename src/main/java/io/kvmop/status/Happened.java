package io.kvmop.status;

/** One thing kvmop did (to a domain, a volume, a seed): an event reason and message. */
public record Happened(String reason, String message) {}
