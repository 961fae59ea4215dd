package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a base image comes from: a file on the node, or a URL downloaded once per node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.path) != has(self.url)",
    message = "an image names exactly one of path (a file on the node) or url")
@ValidationRule(
    value = "!has(self.url) || has(self.sha256)",
    message = "an image url needs its sha256, which is checked after the download")
public class ImageSource {
  @JsonPropertyDescription(
      "Absolute path of the image on the node, inside one of the node's KvmHost"
          + " spec.imageDirectories; '..', symlinks leading out and devices are refused.")
  @Pattern("^/[^\\x00]*$")
  public String path;

  @JsonPropertyDescription(
      "http(s) URL of the image; downloaded once per node into kvmop's image cache, keyed and"
          + " verified by sha256.")
  @Pattern("^https?://[^\\s]+$")
  public String url;

  @JsonPropertyDescription(
      "SHA-256 of the image file, 64 hex digits: required with url, checked when given with"
          + " path.")
  @Pattern("^[0-9a-fA-F]{64}$")
  public String sha256;

  @JsonPropertyDescription(
      "raw, qcow2, qed or vmdk. Detected from the file; when given, the file must be in it.")
  @Pattern("^(raw|qcow2|qed|vmdk)$")
  public String format;

  public ImageSource() {}
}
