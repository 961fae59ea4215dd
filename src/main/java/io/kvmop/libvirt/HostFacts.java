package io.kvmop.libvirt;

import java.util.List;

/** What the node's libvirt says about the host: size and the CPU models it offers. */
public record HostFacts(long memoryKiB, int cpus, List<String> cpuModels) {}
