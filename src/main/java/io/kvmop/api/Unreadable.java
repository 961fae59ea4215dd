package io.kvmop.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Arrays;
import java.util.List;

/**
 * Fields of a resource this agent could not read (a value of a newer CRD, a wrong type): the
 * agent's reader leaves such a field absent and names it in the in-memory annotation {@value
 * #ANNOTATION}, so that one resource never fails an informer. Validation turns the list into
 * Ready=False naming the fields, and nothing of the resource is created, changed or removed.
 */
public final class Unreadable {
  public static final String ANNOTATION = "kvmop.io/unreadable-fields";
  static final String SEPARATOR = "\n";

  private Unreadable() {}

  /** How every unreadable field's problem ends: what it means and the two ways out. */
  public static final String HINT =
      " (this kvmop agent cannot read it; an agent older than the CRD? upgrade kvmop, or correct"
          + " the field)";

  /**
   * Whether a problem is one of an unreadable field (its reason is Unreadable, not InvalidSpec).
   */
  public static boolean marks(String problem) {
    return problem.endsWith(HINT);
  }

  public static List<String> problems(HasMetadata r) {
    if (r == null || r.getMetadata() == null || r.getMetadata().getAnnotations() == null) {
      return List.of();
    }
    String v = r.getMetadata().getAnnotations().get(ANNOTATION);
    return v == null || v.isBlank() ? List.of() : Arrays.asList(v.split(SEPARATOR));
  }

  public static void record(HasMetadata r, List<String> problems) {
    if (problems.isEmpty() || r.getMetadata() == null) {
      return;
    }
    if (r.getMetadata().getAnnotations() == null) {
      r.getMetadata().setAnnotations(new java.util.HashMap<>());
    }
    r.getMetadata().getAnnotations().put(ANNOTATION, String.join(SEPARATOR, problems));
  }
}
