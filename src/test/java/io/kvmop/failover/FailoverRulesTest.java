package io.kvmop.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.machine.MachineValidator;
import io.kvmop.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What spec.failover may ask for, as the agent checks it (the CRD's rules say the same). */
class FailoverRulesTest {
  private static KvmMachineSpec spec(String policy, String after, String... storages) {
    KvmMachineSpec s = Fixtures.machine("default", "web").getSpec();
    s.failover = new FailoverSpec();
    s.failover.policy = policy;
    s.failover.after = after;
    s.disks = new ArrayList<>();
    for (int i = 0; i < storages.length; i++) {
      DiskSpec d = Fixtures.disk("d" + i, null, "1Gi");
      d.storage = storages[i];
      s.disks.add(d);
    }
    return s;
  }

  @Test
  void restartWithEveryDiskOnNamedStorageAndNoNodeNameIsValid() {
    assertThat(MachineValidator.validate(spec("Restart", "60s", "ceph", "ceph"))).isEmpty();
    assertThat(MachineValidator.validate(spec("None", "60s", (String) null))).isEmpty();
    KvmMachineSpec scratch = spec("Restart", "60s", "ceph", null);
    scratch.disks.get(1).disposable = true;
    assertThat(MachineValidator.validate(scratch))
        .as("a disposable local disk is made anew on the next node")
        .isEmpty();
  }

  @Test
  void aLocalDiskAPinnedNodeATooShortWaitAndAnUnknownPolicyAreEachNamed() {
    List<String> local = MachineValidator.validate(spec("Restart", "60s", "ceph", null));
    assertThat(local)
        .singleElement()
        .asString()
        .contains(
            "spec.disks[1] (d1).storage", "shared storage", "rbd KvmStoragePool", "disposable");
    KvmMachineSpec pinned = spec("Restart", "60s", "ceph");
    pinned.nodeName = "node-a";
    assertThat(MachineValidator.validate(pinned))
        .singleElement()
        .asString()
        .contains("spec.nodeName", "node-a", "nodeSelector");
    assertThat(MachineValidator.validate(spec("Restart", "5s", "ceph")))
        .singleElement()
        .asString()
        .contains("spec.failover.after 5s", "at least 10s");
    assertThat(MachineValidator.validate(spec("Restart", "later", "ceph")))
        .singleElement()
        .asString()
        .contains("spec.failover.after 'later'");
    assertThat(MachineValidator.validate(spec("Evacuate", "60s", "ceph")))
        .singleElement()
        .asString()
        .contains("spec.failover.policy 'Evacuate'", "None or Restart");
  }
}
