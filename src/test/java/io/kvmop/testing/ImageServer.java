package io.kvmop.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A raw base image served over HTTP on loopback for the kill tests, optionally throttled so that a
 * kill can land in the middle of a download. Downloads may reach loopback only when the node's
 * policy allows 127.0.0.1.
 */
public final class ImageServer implements AutoCloseable {
  private final HttpServer http;
  private final byte[] image;

  /**
   * @param image the bytes served at /base.raw
   * @param pauseMillis the pause after every 256 KiB (0: as fast as it goes)
   */
  public ImageServer(byte[] image, long pauseMillis) throws IOException {
    this.image = image;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/base.raw",
        ex -> {
          ex.sendResponseHeaders(200, image.length);
          try (OutputStream out = ex.getResponseBody()) {
            for (int off = 0; off < image.length; off += 256 << 10) {
              out.write(image, off, Math.min(256 << 10, image.length - off));
              out.flush();
              if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            // the client was killed
          }
        });
    http.start();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/base.raw";
  }

  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
