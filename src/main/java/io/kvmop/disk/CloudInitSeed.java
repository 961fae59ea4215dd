package io.kvmop.disk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.kvmop.ids.Hashes;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files of a cloud-init NoCloud seed. Pure: the same inputs give the same files. The
 * instance-id carries the machine's uid and a hash of everything in the seed, so any change makes
 * cloud-init run its per-instance modules again on the next boot.
 */
public record CloudInitSeed(Map<String, String> files, String instanceId, String hash) {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  /** A user-data that cannot take the declared SSH keys, or other bad input. */
  public static final class InvalidSeed extends Exception {
    public InvalidSeed(String message) {
      super(message);
    }
  }

  /**
   * @param userData the resolved user-data (inline or from the Secret), or null
   */
  public static CloudInitSeed build(
      String uid, String hostname, String userData, String networkData, List<String> sshKeys)
      throws InvalidSeed {
    String user = userData(userData, sshKeys);
    String hash =
        Hashes.sha256(
                uid
                    + "\0"
                    + hostname
                    + "\0"
                    + user
                    + "\0"
                    + (networkData == null ? "" : networkData))
            .substring(0, 12);
    String instanceId = uid + "-" + hash;
    Map<String, String> files = new LinkedHashMap<>();
    ObjectNode meta = YAML.createObjectNode();
    meta.put("instance-id", instanceId);
    meta.put("local-hostname", hostname);
    try {
      files.put("meta-data", YAML.writeValueAsString(meta));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    files.put("user-data", user);
    if (networkData != null && !networkData.isBlank()) {
      files.put("network-config", networkData);
    }
    return new CloudInitSeed(Map.copyOf(files), instanceId, hash);
  }

  static String userData(String userData, List<String> sshKeys) throws InvalidSeed {
    List<String> keys = sshKeys == null ? List.of() : sshKeys;
    if (keys.isEmpty()) {
      if (userData != null && userData.startsWith("#cloud-config")) {
        cloudConfig(userData, "cloud-init would reject it"); // refused here, not at boot
      }
      return userData == null ? "#cloud-config\n" : userData;
    }
    if (userData == null || userData.isBlank()) {
      return cloudConfig(YAML.createObjectNode(), keys);
    }
    if (!userData.startsWith("#cloud-config")) {
      // its text is never quoted: it may come from a Secret
      throw new InvalidSeed(
          "spec.cloudInit.sshAuthorizedKeys can only be merged into #cloud-config user-data, but"
              + " the user-data does not start with #cloud-config; put the keys into the"
              + " user-data yourself, or use #cloud-config");
    }
    return cloudConfig(
        cloudConfig(userData, "so sshAuthorizedKeys cannot be merged into it"), keys);
  }

  /**
   * #cloud-config user-data as the YAML mapping cloud-init reads; refused with the line and column
   * of the error ({@code consequence}: what the error means here).
   */
  private static ObjectNode cloudConfig(String userData, String consequence) throws InvalidSeed {
    JsonNode doc;
    try {
      doc = YAML.readTree(userData);
    } catch (JsonProcessingException | RuntimeException e) {
      // line and column only: the parser's message quotes the text, which may hold a password
      var at = e instanceof JsonProcessingException j ? j.getLocation() : null;
      throw new InvalidSeed(
          "spec.cloudInit user-data (#cloud-config) is not valid YAML"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ", "
              + consequence);
    }
    if (doc == null || doc.isMissingNode() || doc.isNull()) {
      return YAML.createObjectNode();
    }
    if (!doc.isObject()) {
      throw new InvalidSeed(
          "spec.cloudInit user-data (#cloud-config) must be a YAML mapping (key: value lines), "
              + consequence);
    }
    return (ObjectNode) doc;
  }

  private static String cloudConfig(ObjectNode doc, List<String> keys) throws InvalidSeed {
    Set<String> merged = new LinkedHashSet<>();
    JsonNode existing = doc.get("ssh_authorized_keys");
    if (existing != null && existing.isArray()) {
      existing.forEach(k -> merged.add(k.asText()));
    } else if (existing != null && !existing.isNull()) {
      throw new InvalidSeed("ssh_authorized_keys in the user-data must be a list");
    }
    merged.addAll(keys);
    ArrayNode list = doc.putArray("ssh_authorized_keys");
    merged.forEach(list::add);
    try {
      return "#cloud-config\n" + YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
