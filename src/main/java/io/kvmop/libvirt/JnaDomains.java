package io.kvmop.libvirt;

import com.sun.jna.Pointer;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The domain calls of {@link JnaLibvirt}: definitions with kvmop's stored-form mark, state,
 * lifecycle, agent addresses.
 */
final class JnaDomains implements DomainPort {
  private static final Logger LOG = LoggerFactory.getLogger(JnaDomains.class);
  private final LibvirtCalls calls;
  private final OwnEvents own;

  JnaDomains(LibvirtCalls calls, OwnEvents own) {
    this.calls = calls;
    this.own = own;
  }

  @Override
  public void echoing(String domain, String kind, Runnable call) {
    own.expect(domain, kind, System.nanoTime());
    try {
      call.run();
    } catch (RuntimeException e) {
      own.cancel(domain, kind);
      throw e;
    }
  }

  @Override
  public ConsoleStream openConsole(String name, boolean force) {
    return JnaConsole.open(calls, name, force);
  }

  private static final int DOMAIN_XML_INACTIVE = 2;
  private static final int UNDEFINE_NVRAM = 4;

  /** Its snapshots' metadata goes with it (their data lives in its volumes). */
  private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;

  /**
   * The domain's state and definitions, or empty when there is none. Five calls to the daemon for a
   * running domain (look-up, persistence, state, the stored and the live definition), four for a
   * stopped one: whether it is active follows from its state, asked separately only for a state
   * that does not tell.
   */
  @Override
  public Optional<DomainState> findDomain(String name) {
    Step operation = Operation.LOOK_UP_DOMAIN.as("look up domain " + name);
    return calls.call(
        operation,
        c -> {
          try {
            return Optional.of(
                LibvirtCalls.withNativeDomain(
                    c, name, operation.text(), dom -> read(dom, name, operation.text())));
          } catch (LibvirtError e) {
            if (e.is(LibvirtCode.NO_DOMAIN)) {
              return Optional.empty(); // none, or undefined between the look-up and the reads
            }
            throw e;
          }
        });
  }

  private static DomainState read(Pointer dom, String name, String operation) {
    NativeLibvirt lib = NativeLibvirt.INSTANCE;
    int persistent = lib.virDomainIsPersistent(dom);
    var state = new com.sun.jna.ptr.IntByReference();
    var reason = new com.sun.jna.ptr.IntByReference();
    if (persistent < 0 || lib.virDomainGetState(dom, state, reason, 0) < 0) {
      throw LibvirtCalls.lastError(operation);
    }
    DomainState.RunState run = DomainState.RunState.of(state.getValue());
    boolean active = activeIn(run) || (!inactiveIn(run) && lib.virDomainIsActive(dom) == 1);
    String config = xml(lib, dom, persistent == 1 ? DOMAIN_XML_INACTIVE : 0);
    String live = active ? xml(lib, dom, 0) : null;
    if (config == null || (active && live == null)) {
      throw LibvirtCalls.lastError(operation);
    }
    byte[] uuid = new byte[37];
    lib.virDomainGetUUIDString(dom, uuid);
    return new DomainState(
        name,
        com.sun.jna.Native.toString(uuid, "US-ASCII"),
        persistent == 1,
        run,
        reason.getValue(),
        XmlCodec.read(config, DomainXml.class),
        live == null ? null : XmlCodec.read(live, DomainXml.class));
  }

  private static boolean activeIn(DomainState.RunState s) {
    return s == DomainState.RunState.RUNNING
        || s == DomainState.RunState.BLOCKED
        || s == DomainState.RunState.PAUSED
        || s == DomainState.RunState.SHUTDOWN
        || s == DomainState.RunState.PMSUSPENDED;
  }

  private static boolean inactiveIn(DomainState.RunState s) {
    return s == DomainState.RunState.SHUTOFF;
  }

  /** A definition as libvirt writes it, or null when the read failed (the error is libvirt's). */
  private static String xml(NativeLibvirt lib, Pointer dom, int flags) {
    Pointer p = lib.virDomainGetXMLDesc(dom, flags);
    if (p == null) {
      return null;
    }
    try {
      return p.getString(0, "UTF-8");
    } finally {
      com.sun.jna.Native.free(Pointer.nativeValue(p));
    }
  }

  @Override
  public List<String> listDomainNames() {
    return calls.call(
        Operation.LIST_DOMAINS.alone(),
        c -> {
          // running ones first: one that stops in between is then among the defined ones
          java.util.Set<String> names = new java.util.LinkedHashSet<>();
          for (int id : c.listDomains()) {
            org.libvirt.Domain d;
            try {
              d = c.domainLookupByID(id);
            } catch (org.libvirt.LibvirtException e) {
              if (e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
                continue; // it stopped (or went) between the listing and the look-up
              }
              throw e;
            }
            try {
              names.add(d.getName());
            } finally {
              d.free();
            }
          }
          names.addAll(List.of(c.listDefinedDomains()));
          return new ArrayList<>(names);
        });
  }

  @Override
  public void defineDomain(DomainXml xml) {
    String text = XmlCodec.write(xml);
    calls.call(
        Operation.DEFINE_DOMAIN.on(xml.name()),
        c -> {
          org.libvirt.Domain d = c.domainDefineXML(text);
          try {
            markStored(d);
          } finally {
            d.free();
          }
          return null;
        });
  }

  private static final int METADATA_ELEMENT = 2;
  private static final int AFFECT_CONFIG = 2;

  /**
   * Records in the owner mark of the persistent definition a hash of the form libvirt stored it in,
   * so that what libvirt fills in is never mistaken for an edit. Best effort: without it kvmop
   * compares field by field.
   */
  private void markStored(org.libvirt.Domain d) {
    try {
      DomainXml stored = XmlCodec.read(d.getXMLDesc(DOMAIN_XML_INACTIVE), DomainXml.class);
      if (stored.owner() == null) {
        return;
      }
      d.setMetadata(
          METADATA_ELEMENT,
          XmlCodec.write(stored.owner().withStored(stored.storedHash())),
          "kvmop",
          DomainXml.KVMOP_NS,
          AFFECT_CONFIG);
    } catch (LibvirtException e) {
      LOG.debug("cannot record the stored form of a domain: {}", e.getMessage());
    }
  }

  @Override
  public void startDomain(String name) {
    calls.onDomain(Operation.START_DOMAIN.on(name), name, d -> d.create());
  }

  @Override
  public void destroyDomain(String name) {
    calls.onDomain(Operation.DESTROY_DOMAIN.on(name), name, d -> d.destroy());
  }

  @Override
  public void suspendDomain(String name) {
    calls.onDomain(Operation.SUSPEND_DOMAIN.on(name), name, d -> d.suspend());
  }

  @Override
  public void resumeDomain(String name) {
    calls.onDomain(Operation.RESUME_DOMAIN.on(name), name, d -> d.resume());
  }

  @Override
  public void undefineDomain(String name) {
    calls.onDomain(
        Operation.UNDEFINE_DOMAIN.on(name),
        name,
        d -> {
          try {
            d.undefine(UNDEFINE_NVRAM | UNDEFINE_SNAPSHOTS_METADATA);
          } catch (LibvirtException e) {
            if (e.getError() == null
                || (e.getError().getCode() != ErrorNumber.VIR_ERR_INVALID_ARG
                    && e.getError().getCode() != ErrorNumber.VIR_ERR_NO_SUPPORT)) {
              throw e;
            }
            d.undefine(UNDEFINE_SNAPSHOTS_METADATA); // drivers without NVRAM (the test driver)
          }
        });
  }

  @Override
  public void shutdownDomain(String name, boolean viaAgent) {
    Step operation =
        Operation.SHUT_DOWN_DOMAIN.as(
            "shut down domain " + name + (viaAgent ? " through the guest agent" : " (ACPI)"));
    calls.onNativeDomain(
        operation,
        name,
        dom -> {
          NativeLibvirt lib = NativeLibvirt.INSTANCE;
          int flags =
              viaAgent
                  ? NativeLibvirt.VIR_DOMAIN_SHUTDOWN_GUEST_AGENT
                  : NativeLibvirt.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
          if (lib.virDomainShutdownFlags(dom, flags) >= 0) {
            return null;
          }
          LibvirtError e = LibvirtCalls.lastError(operation.text());
          if (viaAgent || !e.is(LibvirtCode.INVALID_ARG)) {
            throw e;
          }
          // drivers without the ACPI flag (the test driver): let the hypervisor choose
          if (lib.virDomainShutdownFlags(dom, 0) < 0) {
            throw LibvirtCalls.lastError(operation.text());
          }
          return null;
        });
  }

  private static final int ADDRESSES_FROM_AGENT = 1;

  @Override
  public Optional<List<GuestNic>> agentInterfaces(String domainName) {
    try {
      return calls.call(
          Operation.READ_GUEST_AGENT_INTERFACES.as("read guest agent interfaces of " + domainName),
          c -> {
            org.libvirt.Domain d = c.domainLookupByName(domainName);
            try {
              List<GuestNic> nics = new ArrayList<>();
              for (var i : d.interfaceAddresses(ADDRESSES_FROM_AGENT, 0)) {
                List<String> v4 = new ArrayList<>();
                if (i.addrs != null) {
                  for (var a : i.addrs) {
                    if (a.address instanceof java.net.Inet4Address v) {
                      v4.add(v.getHostAddress());
                    }
                  }
                }
                if (i.hwAddr != null) {
                  nics.add(new GuestNic(i.hwAddr.toLowerCase(java.util.Locale.ROOT), v4));
                }
              }
              return Optional.of(nics);
            } finally {
              d.free();
            }
          });
    } catch (LibvirtError e) {
      return Optional.empty(); // no agent answering: not an error for the machine
    }
  }
}
