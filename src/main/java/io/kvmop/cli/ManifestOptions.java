package io.kvmop.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The manifest directory options of the standalone commands. */
final class ManifestOptions {
  @Option(
      names = "--manifests",
      required = true,
      description = "Directory of KvmNetwork, KvmMachine and Secret YAML (recursively).")
  Path manifests;

  @Option(names = "--status-dir", description = "Where status YAML goes (default DIR/.status).")
  Path statusDir;

  Path dir() {
    if (!Files.isDirectory(manifests)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--manifests " + manifests + " is not a directory");
    }
    return manifests.toAbsolutePath();
  }

  Path status() {
    return statusDir != null ? statusDir : dir().resolve(".status");
  }
}
