package io.kvmop.libvirt;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.slf4j.LoggerFactory;

/** The network calls of {@link JnaLibvirt}: definitions, state, autostart, live updates, leases. */
final class JnaNetworks implements NetworkPort {
  private static final int XML_INACTIVE = 1;
  private final LibvirtCalls calls;
  private volatile boolean inactiveXmlSupported = true;

  JnaNetworks(LibvirtCalls calls) {
    this.calls = calls;
  }

  @Override
  public Optional<NetworkState> findNetwork(String name) {
    return calls.call(Operation.LOOK_UP_NETWORK.on(name), c -> read(c, name, n -> state(n)));
  }

  /** A network's state as {@code read} gets it; empty when there is none (or it just went). */
  private static <T> Optional<T> read(KvmopConnect c, String name, NetworkRead<T> read)
      throws LibvirtException {
    Network n;
    try {
      n = c.networkLookupByName(name);
    } catch (LibvirtException e) {
      if (noNetwork(e)) {
        return Optional.empty();
      }
      throw e;
    }
    try {
      return Optional.ofNullable(read.apply(n));
    } catch (LibvirtException e) {
      if (noNetwork(e)) {
        return Optional.empty(); // undefined between lookup and read
      }
      throw e;
    } finally {
      n.free();
    }
  }

  @FunctionalInterface
  private interface NetworkRead<T> {
    T apply(Network n) throws LibvirtException;
  }

  private NetworkState state(Network n) throws LibvirtException {
    boolean active = n.isActive() == 1;
    boolean persistent = n.isPersistent() == 1;
    NetworkXml config = XmlCodec.read(configXml(n), NetworkXml.class);
    NetworkXml live = active ? XmlCodec.read(n.getXMLDesc(0), NetworkXml.class) : null;
    return new NetworkState(
        n.getName(),
        n.getUUIDString(),
        active,
        persistent && n.getAutostart(),
        persistent,
        config.withoutRuntimeState(),
        live);
  }

  /**
   * The persistent definition. Drivers without VIR_NETWORK_XML_INACTIVE (the test driver) only show
   * one definition, which then stands for both.
   */
  private String configXml(Network n) throws LibvirtException {
    if (inactiveXmlSupported) {
      try {
        return n.getXMLDesc(XML_INACTIVE);
      } catch (LibvirtException e) {
        if (e.getError() == null || e.getError().getCode() != ErrorNumber.VIR_ERR_INVALID_ARG) {
          throw e;
        }
        LoggerFactory.getLogger(JnaNetworks.class)
            .info("this libvirt has no inactive network XML; using the live one");
        inactiveXmlSupported = false;
      }
    }
    return n.getXMLDesc(0);
  }

  @Override
  public List<NetworkState> listNetworks() {
    return calls.call(
        Operation.LIST_NETWORKS.alone(),
        c -> {
          List<String> names = new ArrayList<>(List.of(c.listNetworks()));
          names.addAll(List.of(c.listDefinedNetworks()));
          List<NetworkState> result = new ArrayList<>();
          for (String name : names) {
            findNetwork(name).ifPresent(result::add);
          }
          return result;
        });
  }

  @Override
  public void defineNetwork(NetworkXml xml) {
    String text = XmlCodec.write(xml);
    calls.call(Operation.DEFINE_NETWORK.on(xml.name()), c -> c.networkDefineXML(text).free());
  }

  @Override
  public void startNetwork(String name) {
    onNetwork(Operation.START_NETWORK.on(name), name, n -> n.create());
  }

  @Override
  public void stopNetwork(String name) {
    onNetwork(Operation.STOP_NETWORK.on(name), name, n -> n.destroy());
  }

  @Override
  public void undefineNetwork(String name) {
    onNetwork(Operation.UNDEFINE_NETWORK.on(name), name, n -> n.undefine());
  }

  @Override
  public void setNetworkAutostart(String name, boolean autostart) {
    onNetwork(Operation.SET_AUTOSTART_OF_NETWORK.on(name), name, n -> n.setAutostart(autostart));
  }

  @Override
  public Optional<Boolean> networkAutostart(String name) {
    return calls.call(
        Operation.READ_AUTOSTART_OF_NETWORK.on(name),
        c -> read(c, name, n -> n.isPersistent() == 1 ? n.getAutostart() : null));
  }

  @Override
  public void updateRunningNetwork(String name, NetworkUpdate update) {
    String xml = XmlCodec.write(update.element());
    Step operation =
        Operation.UPDATE_RUNNING_NETWORK.as(
            "update running network " + name + " (" + update.command() + " " + xml.strip() + ")");
    calls.call(
        operation,
        c ->
            LibvirtCalls.withNativeNetwork(
                c,
                name,
                operation.text(),
                net -> {
                  if (NativeLibvirt.INSTANCE.virNetworkUpdate(
                          net,
                          update.command().value,
                          update.section(),
                          -1,
                          xml,
                          NativeLibvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
                      < 0) {
                    throw LibvirtCalls.lastError(operation.text());
                  }
                  return null;
                }));
  }

  @FunctionalInterface
  private interface NetworkCall {
    void apply(Network n) throws LibvirtException;
  }

  private void onNetwork(Step operation, String name, NetworkCall action) {
    calls.call(
        operation,
        c -> {
          Network n = c.networkLookupByName(name);
          try {
            action.apply(n);
          } finally {
            n.free();
          }
          return null;
        });
  }

  @Override
  public Optional<List<DhcpLease>> dhcpLeases(String name) {
    Step operation = Operation.READ_DHCP_LEASES.as("read DHCP leases of network " + name);
    return calls.call(
        operation,
        c -> {
          try {
            return LibvirtCalls.withNativeNetwork(c, name, operation.text(), net -> leases(net));
          } catch (LibvirtError e) {
            if (e.is(LibvirtCode.NO_NETWORK)) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  private static Optional<List<DhcpLease>> leases(Pointer net) {
    NativeLibvirt lib = NativeLibvirt.INSTANCE;
    PointerByReference array = new PointerByReference();
    int count = lib.virNetworkGetDHCPLeases(net, null, array, 0);
    if (count < 0) {
      return Optional.empty(); // e.g. the test driver: not supported
    }
    List<DhcpLease> leases = new ArrayList<>(count);
    Pointer base = array.getValue();
    for (int i = 0; i < count; i++) {
      Pointer p = base.getPointer((long) i * Native.POINTER_SIZE);
      var l = new NativeLibvirt.VirNetworkDhcpLease(p);
      leases.add(new DhcpLease(l.mac, l.ipaddr, l.prefix, l.hostname, l.expirytime));
      lib.virNetworkDHCPLeaseFree(p);
    }
    if (base != null) {
      Native.free(Pointer.nativeValue(base));
    }
    return Optional.of(leases);
  }

  private static boolean noNetwork(LibvirtException e) {
    return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_NETWORK;
  }
}
