package io.kvmop.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.RunStrategy;
import io.kvmop.disk.DiskNames;
import io.kvmop.network.NetworkNaming;
import io.kvmop.status.Conditions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.libvirt.StoragePool;

/**
 * Compares what is declared (the API) with what exists (libvirt) and what status says: every
 * machine has its one domain, running exactly when its runStrategy says so, and a status for its
 * current generation saying the same; no domain or network is left that nothing declares.
 */
final class Audit {
  private final KubernetesClient client;
  private final Connect libvirt;

  /** Only resources whose names start with this (and what kvmop made of them) are looked at. */
  private final String prefix;

  private final String domainPrefix;
  private final String networkPrefix;
  private long checked;

  /** kvmop's pool (libvirt name and directory) when the fleet has disks; null when it has none. */
  private String pool;

  private java.nio.file.Path poolPath;

  Audit(KubernetesClient client, Connect libvirt) {
    this(client, libvirt, "");
  }

  Audit(KubernetesClient client, Connect libvirt, String prefix) {
    this.client = client;
    this.libvirt = libvirt;
    this.prefix = prefix;
    this.domainPrefix = "kvmop-" + Fleet.NS + "-" + prefix;
    this.networkPrefix = "kvmop-" + Fleet.NS + "-" + prefix;
    try {
      libvirt.setErrorCallback((userData, error) -> {}); // "not found" is an answer here
    } catch (LibvirtException e) {
      // only quieter
    }
  }

  /** Also audits the machines' volumes and cloud-init seeds in this pool. */
  Audit withPool(String pool, java.nio.file.Path poolPath) {
    this.pool = pool;
    this.poolPath = poolPath;
    return this;
  }

  long checked() {
    return checked;
  }

  record DomainFacts(String uuid, boolean active, int id) {}

  Map<String, DomainFacts> domains() throws LibvirtException {
    Map<String, DomainFacts> out = new HashMap<>();
    List<String> names = new ArrayList<>(List.of(libvirt.listDefinedDomains()));
    for (int id : libvirt.listDomains()) {
      try {
        names.add(libvirt.domainLookupByID(id).getName());
      } catch (LibvirtException gone) {
        // stopped meanwhile: listed as defined next time
      }
    }
    for (String name : names) {
      if (name.startsWith(domainPrefix)) {
        try {
          Domain d = libvirt.domainLookupByName(name);
          out.put(name, new DomainFacts(d.getUUIDString(), d.isActive() == 1, d.getID()));
        } catch (LibvirtException gone) {
          // undefined meanwhile
        }
      }
    }
    return out;
  }

  Set<String> networks() throws LibvirtException {
    Set<String> out = new HashSet<>();
    for (String n : libvirt.listNetworks()) {
      out.add(n);
    }
    for (String n : libvirt.listDefinedNetworks()) {
      out.add(n);
    }
    out.removeIf(n -> !NetworkNaming.looksOurs(n) || !n.startsWith(networkPrefix));
    return out;
  }

  /** Everything that differs from what is declared; empty when converged. */
  List<String> problems() throws LibvirtException {
    List<String> p = new ArrayList<>();
    Map<String, DomainFacts> domains = domains();
    Set<String> declaredDomains = new HashSet<>();
    Set<String> declaredFiles = new HashSet<>();
    for (KvmMachine m :
        client.resources(KvmMachine.class).inNamespace(Fleet.NS).list().getItems()) {
      checked++;
      String name = m.getMetadata().getName();
      if (!name.startsWith(prefix)) {
        continue;
      }
      if (m.getMetadata().getDeletionTimestamp() != null) {
        p.add(name + ": still being deleted");
        continue;
      }
      String domain = "kvmop-" + Fleet.NS + "-" + name;
      declaredDomains.add(domain);
      DomainFacts d = domains.get(domain);
      boolean wantRunning = m.getSpec().runStrategyOrDefault() != RunStrategy.Halted;
      if (d == null) {
        p.add(name + ": no domain");
        continue;
      }
      if (!d.uuid().equalsIgnoreCase(m.getMetadata().getUid())) {
        p.add(name + ": domain of another uid " + d.uuid());
      }
      if (d.active() != wantRunning) {
        p.add(name + ": domain " + (d.active() ? "running" : "not running"));
      }
      var s = m.getStatus();
      if (s == null || !m.getMetadata().getGeneration().equals(s.observedGeneration)) {
        p.add(name + ": status not for generation " + m.getMetadata().getGeneration());
      } else if (Conditions.isTrue(s.conditions, "Running") != d.active()) {
        p.add(name + ": status says Running=" + !d.active());
      }
      declaredFiles.addAll(files(m, domain));
    }
    if (pool != null) {
      volumes(declaredFiles, p);
    }
    for (String d : domains.keySet()) {
      checked++;
      if (!declaredDomains.contains(d)) {
        p.add(d + ": domain left over");
      }
    }
    Set<String> declaredNetworks = new HashSet<>();
    for (KvmNetwork n :
        client.resources(KvmNetwork.class).inNamespace(Fleet.NS).list().getItems()) {
      checked++;
      if (n.getMetadata().getDeletionTimestamp() != null) {
        p.add(n.getMetadata().getName() + ": network still being deleted");
        continue;
      }
      declaredNetworks.add(
          NetworkNaming.of(Fleet.NS, n.getMetadata().getName(), n.getMetadata().getUid())
              .libvirtName());
    }
    for (String n : networks()) {
      checked++;
      if (!declaredNetworks.remove(n)) {
        p.add(n + ": network left over");
      }
    }
    declaredNetworks.forEach(n -> p.add(n + ": network missing"));
    return p;
  }

  /**
   * The pool files one machine should have: a volume per disk, and one seed (any hash) when it has
   * cloud-init, written as the seed prefix.
   */
  private static List<String> files(KvmMachine m, String domain) {
    List<String> out = new ArrayList<>();
    for (DiskSpec d : m.getSpec().disks) {
      out.add(
          DiskNames.volumeName(domain, d.name, m.getMetadata().getUid(), DiskNames.formatOf(d)));
    }
    if (m.getSpec().cloudInit != null) {
      out.add(DiskNames.seedPrefix(domain));
    }
    return out;
  }

  /**
   * Every declared volume and seed is in the pool directory and in libvirt's listing of the pool,
   * once; no file of ours (by the audited prefix) is there that nothing declares.
   */
  private void volumes(Set<String> declared, List<String> p) throws LibvirtException {
    Set<String> onDisk = new HashSet<>();
    try (var files = java.nio.file.Files.list(poolPath)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.startsWith(domainPrefix))
          .forEach(onDisk::add);
    } catch (java.io.IOException e) {
      p.add("pool directory " + poolPath + ": " + e.getMessage());
      return;
    }
    StoragePool sp = libvirt.storagePoolLookupByName(pool); // not refreshed: kvmop keeps it
    Set<String> listed = new HashSet<>();
    for (String v : sp.listVolumes()) {
      if (v.startsWith(domainPrefix)) {
        listed.add(v);
      }
    }
    if (!listed.equals(onDisk)) {
      p.add("pool " + pool + " lists " + listed + " but holds " + onDisk);
    }
    for (String want : declared) {
      checked++;
      long n =
          onDisk.stream()
              .filter(f -> want.endsWith("-") ? f.startsWith(want) : f.equals(want))
              .count();
      if (n != 1) {
        p.add(want + (want.endsWith("-") ? "*.iso" : "") + ": " + n + " files in the pool");
      }
    }
    for (String f : onDisk) {
      checked++;
      if (declared.stream().noneMatch(w -> w.endsWith("-") ? f.startsWith(w) : f.equals(w))) {
        p.add(f + ": volume left over");
      }
    }
  }

  /** Seconds until no problem is left (the agent restarted whenever it ended). */
  double awaitConverged(Runnable agent, int timeoutSeconds) throws Exception {
    long t0 = System.nanoTime();
    List<String> last = List.of();
    while ((System.nanoTime() - t0) / 1e9 < timeoutSeconds) {
      agent.run();
      last = problems();
      if (last.isEmpty()) {
        return Scale.round((System.nanoTime() - t0) / 1e9);
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "not converged after "
            + timeoutSeconds
            + " s: "
            + last.size()
            + " problems, e.g. "
            + last.subList(0, Math.min(10, last.size())));
  }

  /** The id of every running domain (a domain started again gets a new one). */
  Map<String, Integer> runningIds() throws LibvirtException {
    Map<String, Integer> out = new HashMap<>();
    domains()
        .forEach(
            (name, d) -> {
              if (d.active()) {
                out.put(name, d.id());
              }
            });
    return out;
  }

  /** Removes every domain and network of earlier runs from the shared test driver. */
  void removeLeftovers() throws LibvirtException {
    for (String name : domains().keySet()) {
      Domain d = libvirt.domainLookupByName(name);
      if (d.isActive() == 1) {
        d.destroy();
      }
      d.undefine();
    }
    if (pool != null) {
      try {
        StoragePool sp = libvirt.storagePoolLookupByName(pool);
        sp.refresh(0);
        for (String v : sp.listVolumes()) {
          if (v.startsWith(domainPrefix)) {
            sp.storageVolLookupByName(v).delete(0);
          }
        }
      } catch (LibvirtException noPool) {
        // the agent makes it
      }
    }
    for (String name : networks()) {
      Network n = libvirt.networkLookupByName(name);
      if (n.isActive() == 1) {
        n.destroy();
      }
      n.undefine();
    }
  }
}
