package io.kvmop.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every string in a spec, wherever it is, checked by {@link SafeText}: a new field is covered the
 * day it is added. Fields that hold documents (cloud-init user-data, network-config) may have line
 * breaks and be longer; every other string is one line of at most {@value #MAX} characters.
 */
public final class SpecText {
  public static final int MAX = 4096;
  public static final int MAX_DOCUMENT = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SpecText() {}

  /**
   * @param documents field paths (e.g. spec.cloudInit.userData) that may hold multi-line text
   */
  public static List<String> problems(String root, Object spec, Set<String> documents) {
    List<String> out = new ArrayList<>();
    if (spec != null) {
      walk(root, JSON.valueToTree(spec), documents, out);
    }
    return out;
  }

  private static void walk(String at, JsonNode n, Set<String> documents, List<String> out) {
    if (n.isTextual()) {
      boolean doc = documents.contains(at.replaceAll("\\[[0-9]+\\]", "[]"));
      String p = SafeText.problem(at, n.asText(), doc ? MAX_DOCUMENT : MAX, doc);
      if (p != null) {
        out.add(p);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        walk(at + "[" + i + "]", n.get(i), documents, out);
      }
    } else if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey();
        String keyProblem = SafeText.problem(at + " key", key, 253);
        if (keyProblem != null) {
          out.add(keyProblem);
          continue;
        }
        walk(at + "." + key, e.getValue(), documents, out);
      }
    }
  }
}
