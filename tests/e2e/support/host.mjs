// A partner's web server on 127.0.0.1: host pages that embed the widget through its script tag,
// the built widget as a CDN would serve it, and pledge endpoints as a reverse proxy in front of
// real receivers, through which tests inject faults: a proxy's or CDN's own error pages, an
// endpoint down, a slow answer.

import { createServer, request as httpRequest } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { DIST_DIR, PAGES_DIR } from "./paths.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

export const STRICT_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'";

/** What nginx answers when the server behind it does not: an HTML page, not a problem document. */
const BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";

/**
 * Starts the host. `receiver` is the object from startReceiver(); the host proxies `/v1/` to
 * it, so the widget's endpoint is same-origin here: `${host.origin}/v1/pledges`. Other receivers
 * can be put behind other path prefixes with `route()`. Files in `tests/e2e/pages/`, then in
 * each of `assetDirs`, are served at `/`, and the bundle in `widgetDir` (by default
 * `dist/widget/`) at `/widget/`.
 */
export async function startHost({ receiver: initialReceiver, assetDirs = [], widgetDir = DIST_DIR, precompressed = false } = {}) {
  const staticDirs = [PAGES_DIR, ...assetDirs];
  // Path prefix → the receiver behind it, and the prefix that replaces it upstream.
  const routes = new Map([["/v1/", { receiver: initialReceiver, upstream: "/v1/" }]]);
  const pages = new Map();
  const requests = [];
  const faults = [];
  // Path → the answer every POST there gets until cleared: a route that stays broken.
  const outages = new Map();
  const state = { down: false, delayMs: 0 };

  const routeOf = (path) => [...routes.entries()].find(([prefix]) => path.startsWith(prefix));

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://host");
    const request = { method: req.method, path: url.pathname, at: Date.now(), key: req.headers["idempotency-key"] ?? null };
    requests.push(request);
    try {
      const route = routeOf(url.pathname);
      if (route) return await proxy(req, res, route, request);
      if (url.pathname.startsWith("/widget/")) {
        // As the receiver and a CDN serve the bundle: its `.br` sibling, to a browser that takes it.
        const brotli = precompressed && /\bbr\b/.test(req.headers["accept-encoding"] ?? "");
        return await serveFile(res, widgetDir, url.pathname.slice("/widget/".length), { brotli });
      }
      const page = pages.get(url.pathname);
      if (page) {
        const headers = { "content-type": TYPES[".html"], "cache-control": "no-store" };
        if (page.csp) headers["content-security-policy"] = page.csp;
        res.writeHead(200, headers);
        return res.end(page.html);
      }
      const relative = url.pathname.slice(1);
      const dir = staticDirs.find((candidate) => existsSync(join(candidate, relative))) ?? PAGES_DIR;
      return await serveFile(res, dir, relative);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });

  function answer(res, request, status, headers, body) {
    request.status = status;
    request.retryAfter = headers["retry-after"] ?? null;
    res.writeHead(status, headers);
    res.end(body);
  }

  async function proxy(req, res, [prefix, { receiver, upstream: upstreamPrefix }], request) {
    if (state.down) {
      // As if nothing listened: the browser's fetch fails with a network error.
      return req.socket.destroy();
    }
    const fault = req.method === "POST" ? (outages.get(request.path) ?? faults.shift()) : undefined;
    if (fault) {
      // A problem document unless the fault says otherwise: `body` as text is sent as it is.
      const isText = typeof fault.body === "string";
      const headers = { "content-type": isText ? "text/html" : "application/problem+json", ...(fault.headers ?? {}) };
      const body = isText ? fault.body : JSON.stringify(fault.body ?? { type: "about:blank", title: "Injected fault", status: fault.status });
      return answer(res, request, fault.status, headers, body);
    }
    if (!receiver) return answer(res, request, 502, { "content-type": "text/html" }, BAD_GATEWAY);
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    const target = new URL(upstreamPrefix + req.url.slice(prefix.length), receiver.origin);
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(target, { method: req.method, headers }, (reply) => {
      request.status = reply.statusCode;
      request.retryAfter = reply.headers["retry-after"] ?? null;
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    });
    // The receiver is down or restarting: a reverse proxy says so with its own error page.
    upstream.on("error", () => {
      if (!res.headersSent) answer(res, request, 502, { "content-type": "text/html" }, BAD_GATEWAY);
    });
    req.pipe(upstream);
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  return {
    origin,
    endpoint: `${origin}/v1/pledges`,
    loaderUrl: `${origin}/widget/sanankoroba-widget.js`,
    requests,
    /** Serves `html` at `path`, with a Content-Security-Policy header when `csp` is given. */
    page(path, html, { csp } = {}) {
      pages.set(path, { html, csp });
      return `${origin}${path}`;
    },
    /** The next POSTs get these answers instead of reaching the receiver, in order. */
    injectFaults(...answers) {
      faults.push(...answers);
    },
    /** Every POST to `path` gets `answer` instead of reaching the receiver, until called with `null`. */
    breakRoute(path, answer) {
      if (answer) outages.set(path, answer);
      else outages.delete(path);
    },
    /** Points `/v1/` at a (re)started receiver, or at none (`null`: 502 Bad Gateway). */
    setReceiver(next) {
      routes.get("/v1/").receiver = next;
    },
    /** Puts `receiver` behind `prefix` (such as `/campaign-b/`), so `${origin}${prefix}v1/pledges` reaches it. */
    route(prefix, receiver) {
      routes.set(prefix, { receiver, upstream: "/" });
      return `${origin}${prefix}v1/pledges`;
    },
    setDown(down) {
      state.down = down;
    },
    setDelay(ms) {
      state.delayMs = ms;
    },
    /** How many POSTs reached `path`. */
    pledgePosts(path = "/v1/pledges") {
      return this.pledgeRequests(path).length;
    },
    /** The POSTs to `path`, each with its `key` (the Idempotency-Key), and `status` and `retryAfter` once answered. */
    pledgeRequests(path = "/v1/pledges") {
      return requests.filter((r) => r.method === "POST" && r.path === path);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serveFile(res, dir, relative, { brotli = false } = {}) {
  const path = normalize(join(dir, relative));
  if (!path.startsWith(dir)) {
    res.writeHead(403);
    return res.end();
  }
  try {
    const headers = { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" };
    const compressed = brotli && existsSync(`${path}.br`);
    if (compressed) Object.assign(headers, { "content-encoding": "br", vary: "Accept-Encoding" });
    const body = await readFile(compressed ? `${path}.br` : path);
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}
