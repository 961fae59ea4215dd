package io.kvmop.standalone;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Secret;
import io.kvmop.api.ApiGroup;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmNetwork;
import io.kvmop.validation.CrdSchemas;
import io.kvmop.validation.ResourceNames;
import io.kvmop.validation.SafeText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The resources of a manifest directory (a GitOps checkout): every *.yaml/*.yml below it,
 * multi-document files included, .status and other dot-directories skipped. A bad document is
 * reported with its file, line and field; the others still load.
 */
public final class Manifests {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .findAndRegisterModules();

  /** A problem with one document: where, and what. */
  public record Problem(Path file, int line, String message) {
    @Override
    public String toString() {
      return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
  }

  /**
   * @param secrets Secret data by namespace/name, then key (decoded)
   * @param held Kind/namespace/name of invalid documents, with the problem: still declared, so kept
   *     as they are
   * @param unreadable files with a YAML syntax error, with the error: what they declare past it is
   *     unknown
   * @param origins the file of each valid or held resource (Kind/namespace/name)
   */
  public record Loaded(
      List<KvmNetwork> networks,
      List<KvmMachine> machines,
      List<Problem> problems,
      Map<String, Map<String, String>> secrets,
      Map<String, Problem> held,
      Map<Path, Problem> unreadable,
      Map<String, Path> origins,
      List<KvmMachineSnapshot> snapshots,
      List<KvmMachineRestore> restores) {
    public Loaded(
        List<KvmNetwork> networks,
        List<KvmMachine> machines,
        List<Problem> problems,
        Map<String, Map<String, String>> secrets) {
      this(
          networks, machines, problems, secrets, Map.of(), Map.of(), Map.of(), List.of(),
          List.of());
    }
  }

  private Manifests() {}

  public static Loaded load(Path dir) throws IOException {
    return load(dir, dir.toRealPath().toString());
  }

  /** The manifests below {@code dir}, identified in ownership scope {@code scope}. */
  public static Loaded load(Path dir, String scope) throws IOException {
    Reading r = new Reading(dir.toRealPath(), scope);
    for (Path f : ManifestFiles.list(dir, r.realDir, r.problems)) {
      try {
        r.file(f);
      } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException gone) {
        // removed between the listing and the read (a git pull): a removed file
      }
    }
    return r.loaded();
  }

  /** One load of a directory: what it found so far. */
  private static final class Reading {
    final Path realDir;
    final List<KvmNetwork> networks = new ArrayList<>();
    final List<KvmMachine> machines = new ArrayList<>();
    final List<KvmMachineSnapshot> snapshots = new ArrayList<>();
    final List<KvmMachineRestore> restores = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();
    final Map<String, Map<String, String>> secrets = new java.util.HashMap<>();
    final Map<String, Problem> held = new java.util.HashMap<>();
    final Map<Path, Problem> unreadable = new java.util.HashMap<>();
    final Map<String, Path> origins = new java.util.HashMap<>();
    final Map<String, Path> seenTwice = new java.util.HashMap<>();

    final String scope;

    Reading(Path realDir, String scope) {
      this.realDir = realDir;
      this.scope = scope;
    }

    /** Every document of one file; a syntax error ends the file (what follows is unknown). */
    void file(Path f) throws IOException {
      Problem tooLarge = ManifestFiles.tooLarge(f);
      if (tooLarge != null) {
        unreadable(f, tooLarge);
        return;
      }
      // document by document, with the parser itself: a reader of values would take a list at
      // the top of the file for the documents themselves, and read nothing after it
      try (com.fasterxml.jackson.core.JsonParser p = YAML.getFactory().createParser(f.toFile())) {
        while (true) {
          JsonNode doc;
          int line = 0;
          try {
            if (p.nextToken() == null) {
              break;
            }
            line = Math.max(1, p.currentTokenLocation().getLineNr());
            doc = YAML.readTree(p);
          } catch (JsonProcessingException | RuntimeException e) {
            unreadable(
                f, new Problem(f, line(e, p.currentLocation()), "YAML syntax: " + original(e)));
            break;
          }
          String shape = notAResource(doc);
          if (shape != null) {
            problems.add(
                new Problem(
                    f,
                    line,
                    "the document is "
                        + shape
                        + ", not a resource (apiVersion, kind, metadata and spec); not applied"));
          } else if (doc != null && !doc.isMissingNode() && !doc.isNull() && !doc.isEmpty()) {
            document(f, doc, line);
          }
        }
      }
    }

    /**
     * What a document is when it is not a map at all (a list, a text, a number), or null: an empty
     * document (between two ---, which YAML reads as null, as it reads `null` itself) is nothing.
     */
    private static String notAResource(JsonNode doc) {
      if (doc == null || doc.isMissingNode() || doc.isNull() || doc.isObject()) {
        return null;
      }
      if (doc.isArray()) {
        return "a list";
      }
      return doc.isTextual()
          ? "a text ('" + SafeText.quote(doc.asText()) + "')"
          : "a " + doc.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private void unreadable(Path f, Problem p) {
      problems.add(p);
      unreadable.put(f, p);
    }

    private void document(Path f, JsonNode doc, int line) throws JsonProcessingException {
      String kind = doc.path("kind").asText("");
      String apiVersion = doc.path("apiVersion").asText("");
      if (kind.equals("Secret") && apiVersion.equals("v1")) {
        secret(f, doc, line); // only read, for cloud-init user-data; nothing to reconcile
        return;
      }
      String names = nameProblems(doc);
      if (names != null) {
        // never a path, a libvirt name or a held entry from a name that is not one
        problems.add(new Problem(f, line, "invalid " + kind + ": " + names));
        return;
      }
      // until it is valid, what this document names stays as it is (a typo in an edit must
      // not remove a machine)
      String id =
          doc.path("metadata").path("name").isTextual()
              ? kind
                  + "/"
                  + doc.path("metadata").path("namespace").asText("default")
                  + "/"
                  + doc.path("metadata").path("name").asText()
              : null;
      if (id != null) {
        Path first = origins.put(id, f);
        if (first != null && !seenTwice.containsKey(id)) {
          seenTwice.put(id, first);
        }
      }
      int before = problems.size();
      parse(kind, apiVersion, doc, f, line, this);
      if (id != null && problems.size() > before) {
        held.put(id, problems.get(problems.size() - 1));
      }
    }

    private void secret(Path f, JsonNode doc, int line) {
      try {
        Secret secret = YAML.treeToValue(doc, Secret.class);
        String ns =
            secret.getMetadata().getNamespace() == null
                ? "default"
                : secret.getMetadata().getNamespace();
        Map<String, String> data = new java.util.HashMap<>();
        if (secret.getData() != null) {
          for (var e : secret.getData().entrySet()) {
            try {
              // strictly, as an API server does (line breaks aside): no character is skipped
              data.put(
                  e.getKey(),
                  new String(
                      java.util.Base64.getDecoder().decode(e.getValue().replaceAll("\\s+", "")),
                      java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException notBase64) {
              problems.add(
                  new Problem(
                      f,
                      line,
                      "invalid Secret "
                          + ns
                          + "/"
                          + secret.getMetadata().getName()
                          + ": data."
                          + e.getKey()
                          + " is not base64 (use stringData for plain text); the key is left out"));
            }
          }
        }
        if (secret.getStringData() != null) {
          data.putAll(secret.getStringData());
        }
        secrets.put(ns + "/" + secret.getMetadata().getName(), data);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        problems.add(new Problem(f, line, "invalid Secret: " + e.getMessage()));
      }
    }

    Loaded loaded() {
      // the valid ones are declared, not held
      for (List<? extends io.fabric8.kubernetes.api.model.HasMetadata> l :
          List.of(networks, machines, snapshots, restores)) {
        l.forEach(r -> held.remove(key(r)));
        l.removeIf(r -> seenTwice.containsKey(key(r)));
      }
      // one resource declared by two documents: neither is applied, what was applied stays
      seenTwice.forEach(
          (id, first) -> {
            Problem p =
                new Problem(
                    origins.get(id),
                    0,
                    id
                        + " is declared more than once (also in "
                        + first
                        + "); it is kept as last applied until only one document declares it");
            problems.add(p);
            held.put(id, p);
          });
      return new Loaded(
          networks,
          machines,
          problems,
          Map.copyOf(secrets),
          Map.copyOf(held),
          Map.copyOf(unreadable),
          Map.copyOf(origins),
          snapshots,
          restores);
    }
  }

  private static final List<String> KINDS =
      List.of("KvmNetwork", "KvmMachine", "KvmMachineSnapshot", "KvmMachineRestore");

  /** One document of a kvmop kind: added to its list, or a problem. */
  private static void parse(
      String kind, String apiVersion, JsonNode doc, Path f, int line, Reading r)
      throws JsonProcessingException {
    List<Problem> problems = r.problems;
    String scope = r.scope;
    if (apiVersion.equals(ApiGroup.API_VERSION) && kind.equals("KvmMachineMigration")) {
      problems.add(
          new Problem(
              f,
              line,
              "KvmMachineMigration moves a machine between the nodes of a cluster; standalone"
                  + " kvmop runs one host, with no other node to move it to"));
      return;
    }
    if (apiVersion.equals(ApiGroup.API_VERSION) && kind.equals("KvmStoragePool")) {
      problems.add(
          new Problem(
              f,
              line,
              "KvmStoragePool is the node admin's, never the manifest directory's: put it in the"
                  + " directory given as kvmop run --storage-pools; not applied"));
      return;
    }
    if (!apiVersion.equals(ApiGroup.API_VERSION) || !KINDS.contains(kind)) {
      problems.add(
          new Problem(
              f,
              line,
              "unknown kind '"
                  + apiVersion
                  + "/"
                  + kind
                  + "': expected "
                  + ApiGroup.API_VERSION
                  + " "
                  + String.join(", ", KINDS)
                  + " (or v1 Secret)"));
      return;
    }
    List<String> schemaProblems = CrdSchemas.validate(kind, doc);
    if (!schemaProblems.isEmpty()) {
      problems.add(
          new Problem(f, line, "invalid " + kind + ": " + String.join("; ", schemaProblems)));
      return;
    }
    if (kind.equals("KvmNetwork") && doc.path("spec").has("span")) {
      problems.add(
          new Problem(
              f,
              line,
              "invalid KvmNetwork: spec.span joins the nodes of a cluster into one network;"
                  + " standalone kvmop runs one host: remove spec.span"));
      return;
    }
    try {
      switch (kind) {
        case "KvmNetwork" ->
            r.networks.add(StandaloneIds.identify(as(doc, KvmNetwork.class), kind, scope));
        case "KvmMachine" ->
            r.machines.add(StandaloneIds.identify(as(doc, KvmMachine.class), kind, scope));
        case "KvmMachineSnapshot" ->
            r.snapshots.add(StandaloneIds.identify(as(doc, KvmMachineSnapshot.class), kind, scope));
        default ->
            r.restores.add(StandaloneIds.identify(as(doc, KvmMachineRestore.class), kind, scope));
      }
    } catch (JsonMappingException e) {
      problems.add(
          new Problem(f, line, "invalid " + kind + ": field " + path(e) + ": " + original(e)));
    }
  }

  private static <T> T as(JsonNode doc, Class<T> type) throws JsonProcessingException {
    return YAML.treeToValue(doc, type);
  }

  /** Why a document's name or namespace cannot be used, or null. */
  private static String nameProblems(JsonNode doc) {
    JsonNode meta = doc.path("metadata");
    JsonNode name = meta.path("name");
    JsonNode ns = meta.path("namespace");
    String n = ResourceNames.labelProblem("metadata.name", name.isTextual() ? name.asText() : null);
    if (n != null) {
      return n;
    }
    if (!ns.isMissingNode() && !ns.isNull()) {
      return ResourceNames.labelProblem("metadata.namespace", ns.isTextual() ? ns.asText() : null);
    }
    return null;
  }

  private static String key(io.fabric8.kubernetes.api.model.HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "(document)" : b.toString();
  }

  private static int line(Exception e, JsonLocation fallback) {
    if (e instanceof JsonProcessingException j && j.getLocation() != null) {
      return j.getLocation().getLineNr();
    }
    return fallback == null ? 0 : fallback.getLineNr();
  }

  private static String original(Exception e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return m == null ? e.toString() : m.split("\n")[0];
  }
}
