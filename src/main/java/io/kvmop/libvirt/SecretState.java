package io.kvmop.libvirt;

/**
 * A libvirt secret as kvmop sees it: its UUID, its description (where kvmop's mark is), and its
 * usage (type and name). Its value is never read back.
 */
public record SecretState(String uuid, String description, String usageType, String usageName) {}
