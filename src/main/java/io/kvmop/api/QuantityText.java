package io.kvmop.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;

/**
 * Reads a size field as its text whether the manifest wrote a string ({@code 2Gi}) or a number
 * ({@code 2147483648}, as the CRD's int-or-string schema allows), so that a number keeps its exact
 * digits; {@link Quantities} parses either.
 */
public final class QuantityText extends JsonDeserializer<String> {
  @Override
  public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDecimalValue().toPlainString();
    }
    return (String) ctx.handleUnexpectedToken(String.class, p);
  }
}
