package io.kvmop.standalone;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.ImageSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.disk.DiskProvisioner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine whose manifest was removed while kvmop was not running, rebuilt from its status file:
 * its spec as last applied (older files: disks and reclaimPolicy from status), so Delete and Retain
 * and the shutdown timeout still hold; without a file every volume is kept.
 */
final class LastApplied {
  private static final Logger LOG = LoggerFactory.getLogger(LastApplied.class);

  private LastApplied() {}

  static KvmMachine machine(
      String ns, String name, String uid, Path statusFile, StatusStore store) {
    KvmMachine m = new KvmMachine();
    m.getMetadata().setNamespace(ns);
    m.getMetadata().setName(name);
    m.getMetadata().setUid(uid);
    m.setSpec(new KvmMachineSpec());
    try {
      String text = store.read(statusFile);
      if (text == null) {
        return m;
      }
      Map<?, ?> doc = Serialization.unmarshal(text, Map.class);
      if (doc.get("spec") != null) {
        // as last applied: shutdownTimeout, every disk with its reclaimPolicy, the seed
        m.setSpec(Serialization.jsonMapper().convertValue(doc.get("spec"), KvmMachineSpec.class));
        return m;
      }
      // a status file written before specs were kept: disks and reclaimPolicy from status
      KvmMachineStatus st =
          Serialization.jsonMapper().convertValue(doc.get("status"), KvmMachineStatus.class);
      if (st != null && st.disks != null) {
        st.disks.forEach(d -> fromStatus(m, d));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot read {}: volumes of {}/{} are kept: {}", statusFile, ns, name, e.toString());
    }
    return m;
  }

  private static void fromStatus(KvmMachine m, DiskStatus d) {
    if (DiskProvisioner.CIDATA.equals(d.name)) {
      m.getSpec().cloudInit = new CloudInitSpec(); // so that its seed goes too
      return;
    }
    DiskSpec spec = new DiskSpec();
    spec.name = d.name;
    spec.format = d.backingImage == null ? d.format : null;
    if (d.backingImage != null) {
      spec.image = new ImageSource();
      spec.image.path = d.backingImage;
    }
    spec.reclaimPolicy = d.reclaimPolicy == null ? "Retain" : d.reclaimPolicy;
    m.getSpec().disks.add(spec);
  }
}
