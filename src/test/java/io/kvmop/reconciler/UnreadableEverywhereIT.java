package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.RawResources;
import io.kvmop.testing.SchemaMutations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every path of every kind's schema with a wrong type and an unknown enum value, put in front of a
 * running agent through the API: every such object gets Ready=False with reason Unreadable naming
 * the path, nothing of it reaches libvirt, the agent stays healthy and other machines are still
 * reconciled. What an upgrade (a newer CRD, an older agent) or an API server that checks less does.
 */
class UnreadableEverywhereIT extends NetworkItBase {
  private record Put(String kind, String name, String path) {}

  private static final Map<String, String> CRDS =
      Map.of(
          "KvmMachine", "kvmmachines.kvmop.io.yaml",
          "KvmNetwork", "kvmnetworks.kvmop.io.yaml",
          "KvmMachineSnapshot", "kvmmachinesnapshots.kvmop.io.yaml",
          "KvmMachineRestore", "kvmmachinerestores.kvmop.io.yaml",
          "KvmMachineMigration", "kvmmachinemigrations.kvmop.io.yaml",
          "KvmHost", "kvmhosts.kvmop.io.yaml",
          "KvmStoragePool", "kvmstoragepools.kvmop.io.yaml");

  private void put(String kind, String name, Map<String, Object> body) {
    RawResources.create(client, kind, name, body);
  }

  private Map<String, Object> ready(String kind, String name) {
    return RawResources.ready(client, kind, name);
  }

  private KvmMachine good(String name) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().memory = "128Mi";
    m.getSpec().interfaces = new ArrayList<>();
    return m;
  }

  @Test
  void everyUnreadableObjectIsReportedAndTheAgentAndEveryOtherMachineCarryOn() {
    k8s.create(good("before"));
    k8s.awaitMachine("before", "Ready", true, "Running", 30);

    List<Put> reported = new ArrayList<>();
    int hosts = 0;
    for (var kind : CRDS.entrySet()) {
      int i = 0;
      for (var mu : SchemaMutations.of(SchemaMutations.schema(kind.getValue()), List.of("spec"))) {
        String name = kind.getKey().toLowerCase() + "-" + i++;
        put(kind.getKey(), name, new LinkedHashMap<>(mu.body()));
        if (kind.getKey().equals("KvmHost") || kind.getKey().equals("KvmStoragePool")) {
          // another node's host (placement) and the admin's pools: only read, never reported by an
          // agent; a machine whose disk names an unreadable pool says so in its own status
          hosts++;
        } else {
          reported.add(new Put(kind.getKey(), name, mu.path()));
        }
      }
    }
    assertThat(reported).hasSizeGreaterThan(200);
    assertThat(hosts).isGreaterThan(10);

    k8s.create(good("after"));
    k8s.awaitMachine("after", "Ready", true, "Running", 60);
    try {
      within(60).until(() -> unreported(reported).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      assertThat(unreported(reported)).as("not reported as Unreadable").isEmpty();
    }
    assertThat(k8s.operator().liveness()).as("the agent's informers are all healthy").isNull();
    assertThat(libvirt.domains().listDomainNames())
        .as("nothing of an unreadable machine reached libvirt")
        .containsExactlyInAnyOrder("kvmop-default-before", "kvmop-default-after");

    // this node's own KvmHost, unreadable: said in its status, and the agent carries on
    io.kvmop.testing.UserEdits.edit(
        client.genericKubernetesResources("kvmop.io/v1alpha1", "KvmHost").withName("node-a"),
        h -> {
          h.setAdditionalProperty("spec", Map.of("cordoned", "maybe"));
          return h;
        });
    within(30)
        .until(
            () -> {
              Map<String, Object> r = ready("KvmHost", "node-a");
              return r != null
                  && "Unreadable".equals(r.get("reason"))
                  && String.valueOf(r.get("message")).contains("spec.cordoned: 'maybe'");
            });
    assertThat(k8s.operator().liveness()).isNull();
  }

  private List<String> unreported(List<Put> reported) {
    List<String> missing = new ArrayList<>();
    for (Put p : reported) {
      Map<String, Object> r = ready(p.kind(), p.name());
      if (r == null
          || !"Unreadable".equals(r.get("reason"))
          || !String.valueOf(r.get("message")).contains(p.path() + ": ")) {
        missing.add(p.kind() + " " + p.name() + " (" + p.path() + "): " + r);
      }
    }
    return missing.size() > 20 ? missing.subList(0, 20) : missing;
  }
}
