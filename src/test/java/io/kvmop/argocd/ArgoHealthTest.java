package io.kvmop.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.NetworkMode;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health checks in argocd/, run by a real Lua interpreter (lua5.4, as Argo CD's
 * gopher-lua runs them: {@code obj} is the resource, the script returns {@code hs}) on objects in
 * each state a user meets; and argocd/argocd-cm.yaml carries exactly those scripts.
 */
class ArgoHealthTest {
  private static final Path DIR = Path.of("argocd");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  record Health(String status, String message) {}

  static Health health(String kind, HasMetadata obj) throws Exception {
    Path script = DIR.resolve(kind + ".lua").toAbsolutePath();
    String lua =
        "obj = "
            + luaTable(JSON.valueToTree(obj))
            + "\nlocal hs = assert(loadfile('"
            + script
            + "'))()\nio.write(hs.status, '\\n', hs.message or '')";
    Process p;
    try {
      p = new ProcessBuilder("lua5.4", "-").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "lua5.4 is needed to run the Argo CD health checks (operator/host-setup.sh installs it)",
          e);
    }
    p.getOutputStream().write(lua.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    String[] lines = out.split("\n", 2);
    return new Health(lines[0], lines.length > 1 ? lines[1] : "");
  }

  /** A JSON value as a Lua literal, as Argo CD hands objects to its scripts. */
  static String luaTable(JsonNode n) {
    if (n.isObject()) {
      StringBuilder b = new StringBuilder("{");
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (!e.getValue().isNull()) {
          b.append("[").append(luaString(e.getKey())).append("]=");
          b.append(luaTable(e.getValue())).append(",");
        }
      }
      return b.append("}").toString();
    }
    if (n.isArray()) {
      StringBuilder b = new StringBuilder("{");
      n.forEach(v -> b.append(luaTable(v)).append(","));
      return b.append("}").toString();
    }
    if (n.isNumber() || n.isBoolean()) {
      return n.asText();
    }
    return luaString(n.asText());
  }

  private static String luaString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  private static KvmMachine machine(
      long gen, Long observed, MachinePhase phase, String... conditions) {
    KvmMachine m = Fixtures.machine("default", "web-1", "lab");
    m.getMetadata().setGeneration(gen);
    if (observed != null) {
      m.setStatus(new KvmMachineStatus());
      m.getStatus().observedGeneration = observed;
      m.getStatus().phase = phase;
      m.getStatus().conditions = conditions(gen, conditions);
    }
    return m;
  }

  /** Conditions from "Type=Status:Reason:message" strings. */
  private static List<io.fabric8.kubernetes.api.model.Condition> conditions(
      long gen, String... specs) {
    Conditions c = new Conditions(null, gen, T0);
    for (String spec : specs) {
      String[] typeRest = spec.split("=", 2);
      String[] parts = typeRest[1].split(":", 3);
      c.set(typeRest[0], parts[0].equals("True"), parts[1], parts[2]);
    }
    return c.build();
  }

  @Test
  void machines() throws Exception {
    assertThat(health("KvmMachine", machine(1, null, null)).status()).isEqualTo("Progressing");
    assertThat(
            health(
                "KvmMachine",
                machine(1, 1L, MachinePhase.Running, "Ready=True:Running:running on kvm")))
        .isEqualTo(new Health("Healthy", "running on kvm"));
    assertThat(
            health(
                "KvmMachine",
                machine(
                    1,
                    1L,
                    MachinePhase.Stopped,
                    "Ready=True:Halted:stopped, as runStrategy Halted declares")))
        .isEqualTo(new Health("Suspended", "stopped, as runStrategy Halted declares"));
    assertThat(
            health(
                "KvmMachine",
                machine(1, 1L, MachinePhase.Paused, "Ready=True:Paused:paused, as requested")))
        .isEqualTo(new Health("Suspended", "paused, as requested"));
    assertThat(
            health(
                "KvmMachine",
                machine(
                    1,
                    1L,
                    MachinePhase.Starting,
                    "Ready=False:WaitingForIP:running; waiting for its IP address",
                    "Reconciling=True:WaitingForIP:running; waiting for its IP address")))
        .isEqualTo(new Health("Progressing", "WaitingForIP: running; waiting for its IP address"));
    assertThat(
            health(
                "KvmMachine",
                machine(
                    1,
                    1L,
                    MachinePhase.Failed,
                    "Ready=False:InvalidSpec:spec.memory: 3Xi is not a size",
                    "Stalled=True:InvalidSpec:spec.memory: 3Xi is not a size")))
        .isEqualTo(new Health("Degraded", "InvalidSpec: spec.memory: 3Xi is not a size"));
    // a Ready status written for generation 1 says nothing about generation 2
    assertThat(
            health(
                "KvmMachine",
                machine(2, 1L, MachinePhase.Running, "Ready=True:Running:running on kvm")))
        .isEqualTo(new Health("Progressing", "the agent has not observed generation 2 yet"));
  }

  @Test
  void networks() throws Exception {
    KvmNetwork n = Fixtures.network("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.7.0.0/24"));
    n.getMetadata().setGeneration(3L);
    assertThat(health("KvmNetwork", n).status()).isEqualTo("Progressing");
    n.setStatus(new io.kvmop.api.KvmNetworkStatus());
    n.getStatus().observedGeneration = 3L;
    n.getStatus().conditions = conditions(3, "Ready=True:Active:active on 2 node(s)");
    assertThat(health("KvmNetwork", n)).isEqualTo(new Health("Healthy", "active on 2 node(s)"));
    n.getStatus().conditions =
        conditions(
            3,
            "Ready=False:Pending:node b: has not applied generation 3 yet",
            "Reconciling=True:Pending:node b: has not applied generation 3 yet");
    assertThat(health("KvmNetwork", n))
        .isEqualTo(new Health("Progressing", "Pending: node b: has not applied generation 3 yet"));
    n.getStatus().conditions =
        conditions(
            3,
            "Ready=False:AddressConflict:node a: dummy0 holds 10.7.0.1/24",
            "Stalled=True:AddressConflict:node a: dummy0 holds 10.7.0.1/24");
    assertThat(health("KvmNetwork", n))
        .isEqualTo(new Health("Degraded", "AddressConflict: node a: dummy0 holds 10.7.0.1/24"));
  }

  @Test
  void hosts() throws Exception {
    KvmHost h = new KvmHost();
    h.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("a").build());
    h.setSpec(new KvmHostSpec());
    assertThat(health("KvmHost", h).status()).isEqualTo("Progressing");
    h.setStatus(new KvmHostStatus());
    h.getStatus().conditions = conditions(1, "Ready=True:AllChecksPassed:ready for machines");
    assertThat(health("KvmHost", h)).isEqualTo(new Health("Healthy", "ready for machines"));
    h.getStatus().conditions =
        conditions(1, "Ready=False:LibvirtUnavailable:cannot reach qemu:///system");
    assertThat(health("KvmHost", h))
        .isEqualTo(new Health("Degraded", "LibvirtUnavailable: cannot reach qemu:///system"));
    h.getSpec().cordoned = true;
    assertThat(health("KvmHost", h).status()).isEqualTo("Suspended");
  }

  @Test
  void theConfigMapPatchCarriesExactlyTheScripts() throws Exception {
    JsonNode cm =
        new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(DIR.resolve("argocd-cm.yaml").toFile());
    for (String kind : List.of("KvmMachine", "KvmNetwork", "KvmHost")) {
      assertThat(cm.path("data").path("resource.customizations.health.kvmop.io_" + kind).asText())
          .as("argocd-cm.yaml's health check of %s", kind)
          .isEqualTo(Files.readString(DIR.resolve(kind + ".lua")));
    }
  }
}
