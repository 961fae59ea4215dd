package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the agent did with the last power request (annotation kvmop.io/request). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MachineRequestStatus {
  @JsonPropertyDescription("The annotation's value this answers: the verb and the request's token.")
  public String request;

  @JsonPropertyDescription("start, stop, restart, pause or unpause.")
  public String verb;

  @JsonPropertyDescription("InProgress, Done or Refused.")
  public String outcome;

  @JsonPropertyDescription("Why it was refused, as a condition reason; empty when it was not.")
  public String reason;

  @JsonPropertyDescription("What was done, or why not and what to do instead.")
  public String message;

  @JsonPropertyDescription("When the outcome was reached (RFC 3339).")
  public String time;

  public MachineRequestStatus() {}

  public MachineRequestStatus(
      String request, String verb, String outcome, String reason, String message, String time) {
    this.request = request;
    this.verb = verb;
    this.outcome = outcome;
    this.reason = reason;
    this.message = message;
    this.time = time;
  }
}
