package io.kvmop.api;

/** The API group and version of every kvmop kind, in one place. */
public final class ApiGroup {
  public static final String GROUP = "kvmop.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "kvmop";

  private ApiGroup() {}
}
