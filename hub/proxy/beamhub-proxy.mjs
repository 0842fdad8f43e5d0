#!/usr/bin/env node
// beamhub-proxy: configurable-http-proxy exactly as pinned by package-lock.json, started
// with one guard in front of it (hub/scripts/install copies this file beside node_modules/).
//
// configurable-http-proxy looks up a request's route with
// decodeURIComponent(pathname), which throws URIError for a path that is not
// percent-encoded UTF-8 (an overlong '%C0%AE', a lone '%', a bare surrogate '%ED%A0%80').
// It answers that with a 500, through JupyterHub's HTML error page: a server error for
// bad input, and one that is not JSON under /services/catalogue/. No released version
// (5.3.0 is the newest) catches it, so this guard answers such requests itself with 400
// and a JSON body in the catalogue service's error shape, before any route lookup.
// Everything else (arguments, routes, the REST API, errors) is the pinned proxy's own.

import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const proxyRoot = join(here, "node_modules", "configurable-http-proxy");
// The same module the proxy's own command imports, so the class patched is the one it runs.
const { default: ConfigurableProxy } = await import(pathToFileURL(join(proxyRoot, "lib", "configproxy.js")).href);

const BODY = JSON.stringify({
  code: "invalid_input",
  message: "the request path is not valid percent-encoded UTF-8",
  details: null,
});

/** Whether the proxy can look up a route for this request target without throwing. */
export function readablePath(url) {
  try {
    decodeURIComponent(new URL(url, "http://example.com").pathname);
    return true;
  } catch {
    return false; // URIError from decoding, TypeError from an unparsable target
  }
}

const proto = ConfigurableProxy.prototype;
const proxyWeb = proto.handleProxyWeb;
const proxyWs = proto.handleProxyWs;

proto.handleProxyWeb = function (req, res) {
  if (!readablePath(req.url)) {
    this.log.info("400 %s: the path is not percent-encoded UTF-8", req.method);
    res.writeHead(400, {
      "Content-Type": "application/json; charset=UTF-8",
      "Content-Length": Buffer.byteLength(BODY),
      "Cache-Control": "no-store",
    });
    res.end(BODY);
    return;
  }
  return proxyWeb.call(this, req, res);
};

proto.handleProxyWs = function (req, socket, head) {
  if (!readablePath(req.url)) {
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=UTF-8\r\n" +
        `Content-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`,
    );
    return;
  }
  return proxyWs.call(this, req, socket, head);
};

await import(pathToFileURL(join(proxyRoot, "bin", "configurable-http-proxy")).href);
