package io.kvmop.host;

import java.util.Optional;

/** Can this host run KVM guests? Empty when it can; else the first failing check, with its fix. */
@FunctionalInterface
public interface KvmVerdict {
  Optional<HostCheck> kvmFailure();
}
