package io.kvmop.validation;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * metadata.name and metadata.namespace as kvmop accepts them, in both modes: DNS-1123 labels of at
 * most 63 characters (lowercase letters, digits, '-', starting and ending with a letter or digit),
 * which is what an API server demands of a namespace and the most a name may be for the libvirt
 * names, volume file names and status paths derived from it to stay valid. Checked before any name
 * reaches a path, a libvirt object or a file.
 */
public final class ResourceNames {
  public static final int MAX = 63;
  private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  private ResourceNames() {}

  /** Why {@code value} is not a DNS-1123 label of at most 63 characters, or null. */
  public static String labelProblem(String field, String value) {
    if (value == null || value.isEmpty()) {
      return field + " is missing";
    }
    if (value.length() > MAX) {
      return field
          + " is "
          + value.length()
          + " characters long; at most "
          + MAX
          + " (a DNS-1123 label)";
    }
    if (!LABEL.matcher(value).matches()) {
      return field
          + " '"
          + SafeText.quote(value)
          + "' is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending"
          + " with a letter or digit";
    }
    return null;
  }

  /** Every problem with a resource's name and namespace. */
  public static List<String> problems(ObjectMeta meta) {
    List<String> out = new ArrayList<>();
    if (meta == null) {
      out.add("metadata is missing");
      return out;
    }
    String n = labelProblem("metadata.name", meta.getName());
    if (n != null) {
      out.add(n);
    }
    String ns = labelProblem("metadata.namespace", meta.getNamespace());
    if (ns != null) {
      out.add(ns);
    }
    return out;
  }
}
