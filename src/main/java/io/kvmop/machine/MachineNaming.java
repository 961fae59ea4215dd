package io.kvmop.machine;

import io.kvmop.ids.Hashes;
import io.kvmop.validation.ContainedPath;

/** Names and addresses a KvmMachine gets on its node, derived stably from the resource. */
public record MachineNaming(String domainName, String uid, String serialLogPath) {
  static final int MAX_NAME = 200;

  public static MachineNaming of(String namespace, String name, String uid, String serialLogDir) {
    String domain = "kvmop-" + namespace + "-" + name;
    if (domain.length() > MAX_NAME) {
      domain =
          domain.substring(0, MAX_NAME - 9) + "-" + sha256(namespace + "/" + name).substring(0, 8);
    }
    // an invalid name never gets this far in use (validation first); the path stays inside anyway
    String log =
        ContainedPath.resolve(
                java.nio.file.Path.of(serialLogDir),
                ContainedPath.label(namespace),
                ContainedPath.label(name) + ".log")
            .toString();
    return new MachineNaming(domain, uid, log);
  }

  /** A locally administered MAC in QEMU's 52:54:00 range, stable for (uid, interface). */
  public String macFor(String interfaceName) {
    String h = sha256(uid + "/" + interfaceName);
    return "52:54:00:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
  }

  static String sha256(String s) {
    return Hashes.sha256(s);
  }
}
