// A partner's web server on 127.0.0.1: host pages that embed the widget through its script tag,
// the built widget as a CDN would serve it, and the pledge endpoint as a proxy in front of the
// real receiver, through which tests inject faults.

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

/**
 * Starts the host. `receiver` is the object from startReceiver(); the host proxies
 * `/v1/pledges` to it, so the widget's endpoint is same-origin here: `${host.origin}/v1/pledges`.
 * Files in `tests/e2e/pages/`, then in each of `assetDirs`, are served at `/`, and the bundle in
 * `widgetDir` (by default `dist/widget/`) at `/widget/`.
 */
export async function startHost({ receiver: initialReceiver, assetDirs = [], widgetDir = DIST_DIR } = {}) {
  const staticDirs = [PAGES_DIR, ...assetDirs];
  let receiver = initialReceiver;
  const pages = new Map();
  const requests = [];
  const faults = [];
  const state = { down: false, delayMs: 0 };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://host");
    requests.push({ method: req.method, path: url.pathname, at: Date.now() });
    try {
      if (url.pathname.startsWith("/v1/")) return await proxy(req, res);
      if (url.pathname.startsWith("/widget/")) return await serveFile(res, widgetDir, url.pathname.slice("/widget/".length));
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

  async function proxy(req, res) {
    if (state.down) {
      // As if nothing listened: the browser's fetch fails with a network error.
      return req.socket.destroy();
    }
    const fault = req.method === "POST" ? faults.shift() : undefined;
    if (fault) {
      const headers = { "content-type": "application/problem+json", ...(fault.headers ?? {}) };
      res.writeHead(fault.status, headers);
      return res.end(JSON.stringify(fault.body ?? { type: "about:blank", title: "Injected fault", status: fault.status }));
    }
    if (!receiver) {
      res.writeHead(502);
      return res.end();
    }
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    const target = new URL(req.url, receiver.origin);
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => req.socket.destroy());
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
    /** Points the proxy at a (re)started receiver. */
    setReceiver(next) {
      receiver = next;
    },
    setDown(down) {
      state.down = down;
    },
    setDelay(ms) {
      state.delayMs = ms;
    },
    pledgePosts() {
      return requests.filter((r) => r.method === "POST" && r.path === "/v1/pledges").length;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serveFile(res, dir, relative) {
  const path = normalize(join(dir, relative));
  if (!path.startsWith(dir)) {
    res.writeHead(403);
    return res.end();
  }
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}
