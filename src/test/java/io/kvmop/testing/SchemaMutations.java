package io.kvmop.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every path of a kind's published schema (crds/), each with values an agent cannot read there: a
 * wrong type (a map where a scalar belongs, a scalar where a map or a list does, text for a number
 * or a boolean) and a value outside an enum. What a newer CRD, an older API server or a hand-edited
 * status can put in front of the agent.
 */
public final class SchemaMutations {
  /** One body: the path, the value put there and what the value is. */
  public record Mutation(String path, Object value, String what, Map<String, Object> body) {}

  private SchemaMutations() {}

  /** The kind's openAPIV3Schema as published in crds/. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> schema(String crdFile) {
    try {
      Map<String, Object> crd =
          new ObjectMapper(new YAMLFactory())
              .readValue(Files.readString(Path.of("crds", crdFile)), Map.class);
      Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
      Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
      return (Map<String, Object>)
          ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every mutation under the given top-level properties (spec, status) of the schema. */
  @SuppressWarnings("unchecked")
  public static List<Mutation> of(Map<String, Object> schema, List<String> tops) {
    List<Mutation> out = new ArrayList<>();
    Map<String, Object> props = (Map<String, Object>) schema.get("properties");
    for (String top : tops) {
      if (props.get(top) instanceof Map<?, ?> sub) {
        walk((Map<String, Object>) sub, List.of(top), out);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void walk(Map<String, Object> s, List<Object> at, List<Mutation> out) {
    for (Object[] wrong : wrongValues(s)) {
      out.add(new Mutation(pathOf(at), wrong[0], (String) wrong[1], bodyWith(at, wrong[0])));
    }
    if (s.get("properties") instanceof Map<?, ?> props) {
      for (var e : ((Map<String, Object>) props).entrySet()) {
        List<Object> next = new ArrayList<>(at);
        next.add(e.getKey());
        walk((Map<String, Object>) e.getValue(), next, out);
      }
    }
    if (s.get("items") instanceof Map<?, ?> items) {
      List<Object> next = new ArrayList<>(at);
      next.add(0);
      walk((Map<String, Object>) items, next, out);
    }
    if (s.get("additionalProperties") instanceof Map<?, ?> values) {
      List<Object> next = new ArrayList<>(at);
      next.add("some-key");
      walk((Map<String, Object>) values, next, out);
    }
  }

  private static List<Object[]> wrongValues(Map<String, Object> s) {
    List<Object[]> v = new ArrayList<>();
    if (Boolean.TRUE.equals(s.get("x-kubernetes-int-or-string"))) {
      v.add(new Object[] {Map.of("wrong", 1), "a map"});
      v.add(new Object[] {List.of("wrong"), "a list"});
      return v;
    }
    String type = String.valueOf(s.get("type"));
    switch (type) {
      case "string" -> {
        v.add(new Object[] {Map.of("wrong", 1), "a map"});
        v.add(new Object[] {List.of("wrong"), "a list"});
        if (s.get("enum") != null) {
          v.add(new Object[] {"explode", "a value outside the enum"});
        }
      }
      case "integer", "number" -> {
        v.add(new Object[] {"not-a-number", "text"});
        v.add(new Object[] {Map.of("wrong", 1), "a map"});
      }
      case "boolean" -> {
        v.add(new Object[] {"maybe", "text"});
        v.add(new Object[] {List.of(true), "a list"});
      }
      case "object" -> {
        v.add(new Object[] {"scalar", "a string"});
        v.add(new Object[] {7, "a number"});
        v.add(new Object[] {List.of("wrong"), "a list"});
      }
      case "array" -> {
        v.add(new Object[] {"scalar", "a string"});
        v.add(new Object[] {Map.of("wrong", 1), "a map"});
      }
      default -> {
        // untyped (preserve-unknown-fields): anything goes
      }
    }
    return v;
  }

  /** A body with {@code value} at {@code at}, its parents made as maps and one-element lists. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> bodyWith(List<Object> at, Object value) {
    Map<String, Object> root = new LinkedHashMap<>();
    Object parent = root;
    for (int i = 0; i < at.size(); i++) {
      Object key = at.get(i);
      Object child;
      if (i == at.size() - 1) {
        child = value;
      } else {
        child = at.get(i + 1) instanceof Integer ? new ArrayList<>() : new LinkedHashMap<>();
      }
      if (parent instanceof Map<?, ?> m) {
        ((Map<String, Object>) m).put((String) key, child);
      } else {
        ((List<Object>) parent).add(child);
      }
      parent = child;
    }
    return root;
  }

  /** As the agent names a field: spec.disks[0].source. */
  public static String pathOf(List<Object> at) {
    StringBuilder b = new StringBuilder();
    for (Object p : at) {
      if (p instanceof Integer i) {
        b.append('[').append(i).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(p);
      }
    }
    return b.toString();
  }
}
