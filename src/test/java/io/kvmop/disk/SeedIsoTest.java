package io.kvmop.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedIsoTest {
  private static final String UID = "6f1c2a9e-0000-4000-8000-000000000001";

  @TempDir Path dir;

  @Test
  void seedReadsBackWithLabelAndRockRidgeNames() throws Exception {
    CloudInitSeed seed =
        CloudInitSeed.build(
            UID,
            "web-1",
            "#cloud-config\npackages: [nginx]\n",
            "version: 2\nethernets: {eth0: {dhcp4: true}}\n",
            List.of("ssh-ed25519 AAAAC3Nza test@kvmop"));
    Path iso = dir.resolve("seed.iso");
    SeedIso.write(seed.files(), iso);

    IsoFiles read = IsoFiles.read(iso);
    assertEquals("CIDATA", read.label()); // cloud-init takes cidata or CIDATA; Joliet says cidata
    assertEquals(seed.files(), read.files());
    String meta = read.files().get("meta-data");
    assertTrue(meta.contains("instance-id: " + seed.instanceId()), meta);
    assertTrue(meta.contains("local-hostname: web-1"), meta);
    assertTrue(seed.instanceId().startsWith(UID + "-"));
    String user = read.files().get("user-data");
    assertTrue(user.startsWith("#cloud-config\n"), user);
    assertTrue(user.contains("- nginx"), user);
    assertTrue(user.contains("ssh-ed25519 AAAAC3Nza test@kvmop"), user);
  }

  @Test
  void networkConfigOnlyWhenDeclared() throws Exception {
    CloudInitSeed seed = CloudInitSeed.build(UID, "a", null, null, null);
    assertFalse(seed.files().containsKey("network-config"));
    assertEquals("#cloud-config\n", seed.files().get("user-data"));
  }

  @Test
  void anyChangeChangesTheInstanceId() throws Exception {
    CloudInitSeed a = CloudInitSeed.build(UID, "a", "#cloud-config\n", null, null);
    assertNotEquals(
        a.instanceId(),
        CloudInitSeed.build(UID, "a", "#cloud-config\nx: 1\n", null, null).instanceId());
    assertNotEquals(
        a.instanceId(),
        CloudInitSeed.build(UID, "a", "#cloud-config\n", "version: 2\n", null).instanceId());
    assertNotEquals(
        a.instanceId(),
        CloudInitSeed.build(UID, "a", "#cloud-config\n", null, List.of("ssh-rsa K")).instanceId());
    assertNotEquals(
        a.instanceId(), CloudInitSeed.build(UID, "b", "#cloud-config\n", null, null).instanceId());
    assertEquals(
        a.instanceId(), CloudInitSeed.build(UID, "a", "#cloud-config\n", null, null).instanceId());
  }

  @Test
  void keysMergeIntoExistingListWithoutDuplicates() throws Exception {
    String user =
        CloudInitSeed.userData(
            "#cloud-config\nssh_authorized_keys:\n  - ssh-rsa A\n",
            List.of("ssh-rsa A", "ssh-rsa B"));
    assertEquals("#cloud-config\nssh_authorized_keys:\n- ssh-rsa A\n- ssh-rsa B\n", user);
    assertEquals(
        "#cloud-config\nssh_authorized_keys:\n- ssh-rsa K\n",
        CloudInitSeed.userData(null, List.of("ssh-rsa K")));
  }

  @Test
  void keysCannotMergeIntoAScript() {
    var e =
        assertThrows(
            CloudInitSeed.InvalidSeed.class,
            () -> CloudInitSeed.userData("#!/bin/sh\necho hi\n", List.of("ssh-rsa K")));
    assertTrue(e.getMessage().contains("sshAuthorizedKeys"), e.getMessage());
    assertTrue(e.getMessage().contains("does not start with #cloud-config"), e.getMessage());
    assertFalse(
        e.getMessage().contains("/bin/sh"), "user-data may hold secrets: " + e.getMessage());
  }

  @Test
  void userDataWithoutKeysIsPassedThroughVerbatim() throws Exception {
    String script = "#!/bin/sh\n# keep comments\necho hi\n";
    assertEquals(script, CloudInitSeed.userData(script, null));
  }

  @Test
  void cloudConfigThatCloudInitWouldRejectIsRefusedWithLineAndColumnNotItsText() {
    var e =
        assertThrows(
            CloudInitSeed.InvalidSeed.class,
            () ->
                CloudInitSeed.userData(
                    "#cloud-config\npassword: s3cret\nusers: [a, b\nruncmd: x\n", null));
    assertTrue(e.getMessage().contains("is not valid YAML (line "), e.getMessage());
    assertTrue(e.getMessage().contains("column"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), "never the text: it may hold a password");
    var list =
        assertThrows(
            CloudInitSeed.InvalidSeed.class,
            () -> CloudInitSeed.userData("#cloud-config\n- a\n- b\n", null));
    assertTrue(list.getMessage().contains("must be a YAML mapping"), list.getMessage());
  }

  @Test
  void aSecretWhoseDataIsNotBase64IsRefusedNamingIt() {
    io.kvmop.api.KvmMachine m = io.kvmop.testing.Fixtures.machine("default", "web-1");
    io.kvmop.api.CloudInitSpec ci = new io.kvmop.api.CloudInitSpec();
    ci.userDataSecretRef = new io.kvmop.api.SecretKeyRef();
    ci.userDataSecretRef.name = "boot";
    Seeds.Built b =
        Seeds.build(
            m,
            ci,
            (ns, name, key) -> {
              throw new IllegalArgumentException("Illegal base64 character 2d");
            });
    assertEquals("InvalidSpec", b.blocker().reason());
    assertTrue(
        b.blocker().message().contains("Secret default/boot is not base64"), b.blocker().message());
  }
}
