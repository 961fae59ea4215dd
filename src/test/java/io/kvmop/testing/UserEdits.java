package io.kvmop.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.UnaryOperator;

/**
 * A test's change to an object an agent also writes (its status every second, a lease it renews),
 * made as a user's tool makes it: onto the latest copy, and again when the agent wrote in between
 * (409 Conflict). A test that raced the agent it tests would fail at random.
 */
public final class UserEdits {
  private static final int ATTEMPTS = 30;

  private UserEdits() {}

  public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
    return retrying(() -> resource.edit(change));
  }

  /** Any write that reads the latest copy itself (an update without resourceVersion, a replace). */
  public static <T> T retrying(java.util.function.Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
