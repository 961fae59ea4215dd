package io.kvmop.cluster;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.Unreadable;
import io.kvmop.validation.SafeText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agent's reader of every kvmop kind (and of every object without its metadata.managedFields):
 * a field it cannot read (an enum value of a newer CRD during an upgrade, a wrong type the mock or
 * an old API server let through) is read as absent and named in {@link Unreadable}, instead of
 * failing the informer, which would stop the agent and every other resource on the node.
 */
public final class TolerantReading {
  /** Every kind of kvmop's API: whatever the body, the object is read. */
  private static final Set<Class<?>> TOLERANT =
      Set.of(
          KvmMachine.class,
          KvmNetwork.class,
          KvmHost.class,
          KvmMachineSnapshot.class,
          KvmMachineRestore.class,
          KvmMachineMigration.class,
          io.kvmop.api.KvmStoragePool.class);

  private static final ThreadLocal<List<String>> CURRENT = new ThreadLocal<>();

  private TolerantReading() {}

  /** A client like {@code given}, reading with the tolerant reader. */
  public static KubernetesClient client(KubernetesClient given) {
    return new KubernetesClientBuilder()
        .withConfig(given.getConfiguration())
        .withKubernetesSerialization(serialization())
        .build();
  }

  public static KubernetesSerialization serialization() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.addHandler(new Handler());
    mapper.addMixIn(io.fabric8.kubernetes.api.model.ObjectMeta.class, WithoutManagedFields.class);
    mapper.registerModule(
        new SimpleModule("kvmop-tolerant")
            .setDeserializerModifier(
                new BeanDeserializerModifier() {
                  @Override
                  public JsonDeserializer<?> modifyDeserializer(
                      DeserializationConfig config,
                      BeanDescription desc,
                      JsonDeserializer<?> deserializer) {
                    return TOLERANT.contains(desc.getBeanClass())
                        ? new Recording(deserializer)
                        : deserializer;
                  }
                }));
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
    // after Fabric8's modules: its reader of Integer takes a map's "{" for the number's text
    mapper.registerModule(
        new SimpleModule("kvmop-tolerant-integers")
            .addDeserializer(
                Integer.class,
                new NotAStructure(
                    new io.fabric8.kubernetes.model.jackson.GoIntegerDeserializer() {})));
    return serialization;
  }

  /** An Integer reader that hands a map or a list (not a number at all) to the problem handler. */
  private static final class NotAStructure
      extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<Integer>
      implements com.fasterxml.jackson.databind.deser.ContextualDeserializer {
    private final JsonDeserializer<?> inner;

    NotAStructure(JsonDeserializer<?> inner) {
      super(Integer.class);
      this.inner = inner;
    }

    @Override
    public JsonDeserializer<?> createContextual(
        DeserializationContext ctxt, com.fasterxml.jackson.databind.BeanProperty property)
        throws com.fasterxml.jackson.databind.JsonMappingException {
      return inner instanceof com.fasterxml.jackson.databind.deser.ContextualDeserializer c
          ? new NotAStructure(c.createContextual(ctxt, property))
          : this;
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
        return (Integer) ctxt.handleUnexpectedToken(Integer.class, p);
      }
      return (Integer) inner.deserialize(p, ctxt);
    }
  }

  /**
   * The API server's record of who set which field (metadata.managedFields, often larger than the
   * spec) is never read into the agent's caches: kvmop reads none of it, and an update that leaves
   * it out leaves it as it is.
   */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(
      value = {"managedFields"},
      ignoreUnknown = true)
  private abstract static class WithoutManagedFields {}

  /** Collects the problems of one resource and records them on it. */
  private static final class Recording extends DelegatingDeserializer {
    Recording(JsonDeserializer<?> d) {
      super(d);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> d) {
      return new Recording(d);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      List<String> outer = CURRENT.get();
      List<String> mine = new ArrayList<>();
      CURRENT.set(mine);
      try {
        Object o = super.deserialize(p, ctxt);
        if (o instanceof HasMetadata r) {
          Unreadable.record(r, mine);
        }
        return o;
      } finally {
        CURRENT.set(outer);
      }
    }
  }

  private static final class Handler extends DeserializationProblemHandler {
    @Override
    public Object handleWeirdStringValue(
        DeserializationContext ctxt, Class<?> target, String value, String failureMsg)
        throws IOException {
      return record(ctxt, "'" + SafeText.quote(value) + "' is not " + expected(target))
          ? absent(target)
          : NOT_HANDLED;
    }

    @Override
    public Object handleWeirdNumberValue(
        DeserializationContext ctxt, Class<?> target, Number value, String failureMsg)
        throws IOException {
      return record(ctxt, value + " is not " + expected(target)) ? absent(target) : NOT_HANDLED;
    }

    @Override
    public Object handleUnexpectedToken(
        DeserializationContext ctxt, JavaType target, JsonToken t, JsonParser p, String failureMsg)
        throws IOException {
      if (!record(ctxt, "a " + describe(t) + " is not " + expected(target.getRawClass()))) {
        return NOT_HANDLED;
      }
      p.skipChildren();
      return absent(target.getRawClass());
    }

    /** A field read as absent: null, or a primitive's zero. */
    private static Object absent(Class<?> target) {
      return target.isPrimitive()
          ? com.fasterxml.jackson.databind.util.ClassUtil.defaultValue(target)
          : null;
    }

    @Override
    public Object handleMissingInstantiator(
        DeserializationContext ctxt,
        Class<?> target,
        com.fasterxml.jackson.databind.deser.ValueInstantiator inst,
        JsonParser p,
        String msg)
        throws IOException {
      // a scalar where a map (or an object of kvmop's) belongs
      if (!record(ctxt, valueOf(p) + " is not " + expected(target))) {
        return NOT_HANDLED;
      }
      p.skipChildren();
      return null;
    }

    @Override
    public Object handleInstantiationProblem(
        DeserializationContext ctxt, Class<?> target, Object argument, Throwable t)
        throws IOException {
      return record(
              ctxt, "'" + SafeText.quote(String.valueOf(argument)) + "' is not " + expected(target))
          ? null
          : NOT_HANDLED;
    }

    private static String valueOf(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      return switch (t) {
        case VALUE_STRING -> "'" + SafeText.quote(p.getText()) + "'";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
        default -> "a " + describe(t);
      };
    }

    private static boolean record(DeserializationContext ctxt, String what) {
      List<String> problems = CURRENT.get();
      if (problems == null) {
        return false;
      }
      String at = field(ctxt.getParser());
      problems.add(at + ": " + what + Unreadable.HINT);
      return true;
    }

    private static String field(JsonParser p) {
      String pointer = p.getParsingContext().pathAsPointer().toString();
      StringBuilder b = new StringBuilder();
      for (String part : pointer.split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        if (part.chars().allMatch(Character::isDigit)) {
          b.append('[').append(part).append(']');
        } else {
          b.append(b.length() == 0 ? "" : ".").append(part);
        }
      }
      return b.length() == 0 ? "(document)" : b.toString();
    }

    private static String expected(Class<?> target) {
      if (target.isEnum()) {
        return "one of "
            + Arrays.stream(target.getEnumConstants())
                .map(TolerantReading::wireName)
                .collect(Collectors.joining(", "));
      }
      if (target == String.class) {
        return "a string";
      }
      if (target == Boolean.class || target == boolean.class) {
        return "true or false";
      }
      if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
        return "a number";
      }
      if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
        return "a list";
      }
      return "a map"; // java.util.Map, or one of kvmop's objects
    }

    private static String describe(JsonToken t) {
      return switch (t) {
        case START_OBJECT -> "map";
        case START_ARRAY -> "list";
        case VALUE_STRING -> "string";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
        case VALUE_TRUE, VALUE_FALSE -> "boolean";
        default -> String.valueOf(t);
      };
    }
  }

  private static String wireName(Object constant) {
    Enum<?> e = (Enum<?>) constant;
    try {
      var f = e.getDeclaringClass().getField(e.name());
      var p = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return p != null && !p.value().isEmpty() ? p.value() : e.name();
    } catch (NoSuchFieldException x) {
      return e.name();
    }
  }
}
