// What the benchmark asks of Chromium itself over the DevTools protocol: a slower CPU, every
// byte the page receives, and the memory it holds.

/** A phone-class CPU on a laptop-class machine, as Lighthouse's mobile preset assumes. */
export const CPU_SLOWDOWN = 4;

/**
 * The networks a page is loaded over. `null` leaves the loopback as it is; Slow 4G is DevTools'
 * own preset of that name: 1.6 Mbps down, 750 kbps up, 150 ms round trips.
 */
export const NETWORKS = {
  unthrottled: null,
  slow4g: { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 },
};

/**
 * Opens a DevTools session on `page`, slows its CPU down, puts it on `network` (a key of
 * NETWORKS) and starts counting its traffic.
 */
export async function instrument(page, network = "unthrottled") {
  const session = await page.context().newCDPSession(page);
  await session.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  const traffic = await trackNetwork(session);
  if (NETWORKS[network]) await session.send("Network.emulateNetworkConditions", NETWORKS[network]);
  return { session, network: traffic };
}

/**
 * Every HTTP request the page makes, with the bytes that came over the wire for it (headers and
 * body, as served: the host compresses nothing).
 */
async function trackNetwork(session) {
  const requests = new Map();
  session.on("Network.requestWillBeSent", ({ requestId, request }) => {
    if (!/^https?:/.test(request.url)) return;
    requests.set(requestId, { path: new URL(request.url).pathname, method: request.method, bytes: 0, finished: false });
  });
  session.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const request = requests.get(requestId);
    if (request) Object.assign(request, { bytes: encodedDataLength, finished: true });
  });
  session.on("Network.loadingFailed", ({ requestId, errorText }) => {
    const request = requests.get(requestId);
    if (request) Object.assign(request, { finished: true, failed: errorText });
  });
  await session.send("Network.enable");
  return {
    /** The requests so far, in the order they were made. */
    snapshot: () => [...requests.values()].map((request) => ({ ...request })),
    /** Resolves once no request is in flight. */
    async settled({ timeout = 30_000 } = {}) {
      const deadline = Date.now() + timeout;
      while ([...requests.values()].some((request) => !request.finished)) {
        if (Date.now() > deadline) throw new Error("requests still in flight after 30 s");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

export function traffic(requests) {
  return { requests: requests.length, bytes: requests.reduce((sum, request) => sum + request.bytes, 0) };
}

/**
 * The page's memory after a full garbage collection: the JavaScript heap in use, and the bytes of
 * every WebAssembly memory alive in the page. The wasm memories are found by asking V8 for every
 * object whose prototype is `WebAssembly.Memory.prototype` (the DevTools `queryObjects`), so the
 * widget need not expose its instance to be measured.
 */
export async function memoryInUse(session) {
  await session.send("HeapProfiler.enable");
  await session.send("HeapProfiler.collectGarbage");
  const { usedSize } = await session.send("Runtime.getHeapUsage");
  const { result: prototype } = await session.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
  const { objects } = await session.send("Runtime.queryObjects", { prototypeObjectId: prototype.objectId });
  const { result } = await session.send("Runtime.callFunctionOn", {
    objectId: objects.objectId,
    functionDeclaration: "function () { return { count: this.length, bytes: this.reduce((sum, memory) => sum + memory.buffer.byteLength, 0) }; }",
    returnByValue: true,
  });
  await session.send("Runtime.releaseObject", { objectId: objects.objectId });
  await session.send("Runtime.releaseObject", { objectId: prototype.objectId });
  return { jsHeapBytes: usedSize, wasmMemoryBytes: result.value.bytes, wasmMemories: result.value.count };
}
