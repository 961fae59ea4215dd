package io.kvmop.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the machines on this agent's node hold of its CPUs and memory, exactly and at once: the one
 * place where this node's capacity is given out. Only this node's agent places machines on it and
 * starts them, so checking and reserving here, under one lock, means the node never holds more than
 * it allows (its capacity times the KvmHost's allocation ratios), however many machines arrive at
 * once.
 *
 * <p>The rule: a machine holds its vCPUs and memory from the moment it is placed, unless its
 * runStrategy is Halted (a stopped machine holds nothing, as a stopped KubeVirt VM). When a Halted
 * machine is asked to run again it must be admitted like a new one; until there is room it stays
 * stopped with the reason InsufficientCapacity.
 */
public final class NodeLedger {
  /** What one machine asks for, and whether it wants to run (only then does it hold). */
  public record Claim(int cpus, long memoryKiB, boolean running) {}

  /** What the node allows and what is held: CPUs and KiB of memory. */
  public record Totals(int allowedCpus, long allowedKiB, int heldCpus, long heldKiB, int holders) {
    boolean fits(Claim c) {
      return heldCpus + c.cpus() <= allowedCpus && heldKiB + c.memoryKiB() <= allowedKiB;
    }

    /** Why a claim does not fit, for a condition message ({@code by}: who holds what). */
    String shortfall(Claim c, String by) {
      return heldCpus
          + " of "
          + allowedCpus
          + " CPUs and "
          + (heldKiB >> 10)
          + " of "
          + (allowedKiB >> 10)
          + "Mi memory held by "
          + by
          + "; "
          + c.cpus()
          + " CPUs and "
          + (c.memoryKiB() >> 10)
          + "Mi wanted";
    }
  }

  /** One machine's hold; {@code domainRunning}: its domain was seen running (else placed only). */
  private record Entry(Claim claim, boolean admitted, boolean domainRunning) {
    Entry(Claim claim, boolean admitted) {
      this(claim, admitted, false);
    }

    /** Whether it holds what {@code other} held (whether the domain runs changes no hold). */
    boolean holdsAs(Entry other) {
      return other != null && claim.equals(other.claim) && admitted == other.admitted;
    }
  }

  /** The machines' names (namespace/name) by uid, for messages that say who holds the node. */
  private final Map<String, String> names = new HashMap<>();

  /** How many holders a message names. */
  private static final int NAMED = 5;

  private final Map<String, Entry> entries = new HashMap<>();

  /** The sums over the admitted entries, kept as entries change (no walk per reservation). */
  private int heldCpus;

  private long heldKiB;
  private int holders;

  /** When each machine was last reserved or observed (nanoTime): a sweep spares recent ones. */
  private final Map<String, Long> touchedAt = new HashMap<>();

  private final List<Runnable> listeners = new ArrayList<>();
  private int allowedCpus;
  private long allowedKiB;
  private boolean sized;

  /** The node's capacity times its allocation ratios (from the KvmHost's status and spec). */
  public synchronized void allow(int cpus, long kib) {
    boolean changed = !sized || cpus != allowedCpus || kib != allowedKiB;
    allowedCpus = cpus;
    allowedKiB = kib;
    sized = true;
    if (changed) {
      changed();
    }
  }

  /** Whether the claim is more than the node allows in all, so that no wait would make it fit. */
  public synchronized boolean exceedsNode(Claim c) {
    return sized && c.running() && (c.cpus() > allowedCpus || c.memoryKiB() > allowedKiB);
  }

  /** Names a machine (namespace/name) in the messages that say who holds the node. */
  public synchronized void name(String uid, String namespacedName) {
    if (uid != null && namespacedName != null) {
      names.put(uid, namespacedName);
    }
  }

  /** The machines that hold the node now (but {@code except}), largest first, with their phase. */
  private String holders(String except) {
    List<Map.Entry<String, Entry>> held =
        entries.entrySet().stream()
            .filter(e -> e.getValue().admitted() && !e.getKey().equals(except))
            .sorted(
                (a, b) ->
                    Long.compare(
                        b.getValue().claim().memoryKiB(), a.getValue().claim().memoryKiB()))
            .toList();
    if (held.isEmpty()) {
      return "no machine";
    }
    StringBuilder b =
        new StringBuilder(held.size() + (held.size() == 1 ? " machine: " : " machines: "));
    for (int i = 0; i < Math.min(NAMED, held.size()); i++) {
      var e = held.get(i);
      b.append(i == 0 ? "" : ", ")
          .append(names.getOrDefault(e.getKey(), "uid " + e.getKey()))
          .append(e.getValue().domainRunning() ? " (running, " : " (placed, not running, ")
          .append(e.getValue().claim().cpus())
          .append(" CPUs, ")
          .append(e.getValue().claim().memoryKiB() >> 10)
          .append("Mi)");
    }
    if (held.size() > NAMED) {
      b.append(" and ").append(held.size() - NAMED).append(" more");
    }
    return b.toString();
  }

  /** Whether the node's capacity is known yet (nothing is admitted before). */
  public synchronized boolean sized() {
    return sized;
  }

  /**
   * Placement: reserves the claim for the machine if it fits (a claim that does not run always
   * fits: it holds nothing). Empty when it was reserved; otherwise why not.
   */
  public synchronized Optional<String> reserve(String uid, Claim c) {
    Entry old = entries.get(uid);
    if (old != null && old.admitted()) {
      return Optional.empty(); // reserved before (placement ran again before the label showed)
    }
    Optional<String> refused = admit(uid, c);
    if (refused.isEmpty()) {
      touchedAt.put(uid, System.nanoTime());
    }
    return refused;
  }

  private Optional<String> admit(String uid, Claim c) {
    if (c.running()) {
      if (!sized) {
        return Optional.of("this node's capacity is not known yet (its KvmHost is not Ready)");
      }
      Totals t = totalsExcept(uid);
      if (!t.fits(c)) {
        return Optional.of(t.shortfall(c, holders(uid)));
      }
    }
    put(uid, new Entry(c, c.running()));
    changed();
    return Optional.empty();
  }

  /**
   * What a machine on this node wants now (every reconcile of it): a machine seen for the first
   * time (placed before this agent started) keeps what it holds; one that now wants to run but held
   * nothing must be admitted. Empty when it may run (or does not want to); otherwise why not.
   */
  public synchronized Optional<String> observe(String uid, Claim c, boolean domainRunning) {
    touchedAt.put(uid, System.nanoTime());
    Entry old = entries.get(uid);
    if (old == null || domainRunning) {
      put(uid, new Entry(c, c.running() || domainRunning, domainRunning));
      if (!entries.get(uid).holdsAs(old)) {
        changed();
      }
      return Optional.empty();
    }
    if (!c.running()) {
      put(uid, new Entry(c, false));
      if (!entries.get(uid).holdsAs(old)) {
        changed();
      }
      return Optional.empty();
    }
    if (old.admitted()) {
      put(uid, new Entry(c, true)); // a new size takes effect at its next start
      if (!entries.get(uid).holdsAs(old)) {
        changed();
      }
      return Optional.empty();
    }
    return admit(uid, c);
  }

  /**
   * Keeps a reservation from lapsing while its machine is on its way here (a migration's target
   * holds it until the machine is handed over); nothing when there is none.
   */
  public synchronized void touch(String uid) {
    if (entries.containsKey(uid)) {
      touchedAt.put(uid, System.nanoTime());
    }
  }

  /**
   * A machine kvmop refuses (its spec, a network it may not use, an image it may not fetch) and
   * whose domain does not run: it holds nothing until it is admitted again like a new one.
   */
  public synchronized void refused(String uid, Claim c) {
    touchedAt.put(uid, System.nanoTime());
    Entry old = entries.get(uid);
    Entry now = new Entry(new Claim(c.cpus(), c.memoryKiB(), false), false);
    put(uid, now);
    if (!now.holdsAs(old)) {
      changed();
    }
  }

  /** Gives back what a machine held (deleted, or moved off this node). */
  public synchronized void release(String uid) {
    touchedAt.remove(uid);
    names.remove(uid);
    if (remove(uid) != null) {
      changed();
    }
  }

  /**
   * Forgets machines no longer on this node ({@code present}: the uids its agent sees placed here):
   * deleted, or moved away, without this agent being told. One reserved or observed within {@code
   * grace} stays: its label may not have reached the agent's cache yet.
   */
  public synchronized void sweep(java.util.Set<String> present, java.time.Duration grace) {
    long now = System.nanoTime();
    List<String> gone = new ArrayList<>();
    for (String uid : entries.keySet()) {
      Long touched = touchedAt.get(uid);
      if (!present.contains(uid) && (touched == null || now - touched > grace.toNanos())) {
        gone.add(uid);
      }
    }
    gone.forEach(this::remove);
    names.keySet().retainAll(entries.keySet());
    boolean removed = !gone.isEmpty();
    touchedAt.keySet().retainAll(entries.keySet());
    if (removed) {
      changed();
    }
  }

  public synchronized Totals totals() {
    return totalsExcept(null);
  }

  private Totals totalsExcept(String uid) {
    Entry e = uid == null ? null : entries.get(uid);
    if (e == null || !e.admitted()) {
      return new Totals(allowedCpus, allowedKiB, heldCpus, heldKiB, holders);
    }
    return new Totals(
        allowedCpus,
        allowedKiB,
        heldCpus - e.claim().cpus(),
        heldKiB - e.claim().memoryKiB(),
        holders - 1);
  }

  /** The sums by a walk over every entry (what the kept sums must always equal; for tests). */
  synchronized Totals totalsByWalk() {
    int cpus = 0;
    long kib = 0;
    int n = 0;
    for (Entry e : entries.values()) {
      if (e.admitted()) {
        cpus += e.claim().cpus();
        kib += e.claim().memoryKiB();
        n++;
      }
    }
    return new Totals(allowedCpus, allowedKiB, cpus, kib, n);
  }

  private void put(String uid, Entry e) {
    count(entries.put(uid, e), -1);
    count(e, 1);
  }

  private Entry remove(String uid) {
    Entry old = entries.remove(uid);
    count(old, -1);
    return old;
  }

  private void count(Entry e, int sign) {
    if (e != null && e.admitted()) {
      heldCpus += sign * e.claim().cpus();
      heldKiB += sign * e.claim().memoryKiB();
      holders += sign;
    }
  }

  /**
   * Called, under the ledger's lock (so it must not block), whenever what is held or allowed
   * changes.
   */
  public synchronized void onChange(Runnable r) {
    listeners.add(r);
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }
}
