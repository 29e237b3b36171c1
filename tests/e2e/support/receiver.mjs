// The real pledge receiver, started as a child process on a fresh SQLite file and port.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { DIST_DIR, RECEIVER_BIN, ROOT } from "./paths.mjs";

/**
 * Starts the receiver. `allowedOrigins` are the partner origins its CORS allow-list accepts.
 * With `productionLimits`, the spam threshold and the rate limit keep their defaults (a form
 * filled in under 3 s is held for review, 10 pledges a minute per address); otherwise both are
 * off, since browsers driven by tests fill the form in well under a human's time. Resolves once
 * it prints the address it listens on.
 */
export async function startReceiver({ allowedOrigins = [], dataDir, adminToken = randomUUID(), productionLimits = false, extraArgs = [] } = {}) {
  const ownDir = !dataDir;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "sanankoroba-e2e-"));
  const args = [
    "--bind", "127.0.0.1:0",
    "--database-url", `sqlite://${join(dir, "pledges.db")}`,
    "--admin-token", adminToken,
    "--dist", DIST_DIR,
    "--demo-page", join(ROOT, "index.html"),
    ...(productionLimits ? [] : ["--min-fill-ms", "0", "--rate-limit-per-minute", "100000"]),
    ...extraArgs,
  ];
  if (allowedOrigins.length) args.push("--allowed-origins", allowedOrigins.join(","));
  const child = spawn(RECEIVER_BIN, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const origin = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = /^listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`receiver exited with ${code} before listening:\n${stderr}`)));
  });

  const admin = async (path, { method = "GET" } = {}) => {
    const response = await fetch(origin + path, { method, headers: { authorization: `Bearer ${adminToken}` } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response;
  };

  return {
    origin,
    endpoint: `${origin}/v1/pledges`,
    adminToken,
    dataDir: dir,
    /**
     * Every stored pledge, through the charity's admin API: by default all but those held for
     * review; `{ status: "review" }` lists those.
     */
    async pledges({ status } = {}) {
      const stored = [];
      let cursor = null;
      do {
        const filter = status ? `&status=${status}` : "";
        const page = await (await admin(`/v1/pledges?limit=100${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json();
        stored.push(...page.pledges);
        cursor = page.next_cursor ?? null;
      } while (cursor);
      return stored;
    },
    /** The pledge stored under `reference`; fails unless exactly one is. */
    async pledge(reference) {
      const found = (await this.pledges()).filter((record) => record.reference === reference);
      if (found.length !== 1) throw new Error(`expected one stored pledge ${reference}, found ${found.length}`);
      return found[0].pledge;
    },
    admin,
    /** Adds a staff account for the inbox, through the receiver's own `user add` command. */
    addStaff(username, password) {
      const added = spawnSync(
        RECEIVER_BIN,
        ["user", "add", username, "--password-stdin", "--database-url", `sqlite://${join(dir, "pledges.db")}`],
        { cwd: ROOT, input: `${password}\n`, encoding: "utf8" }
      );
      if (added.status !== 0) throw new Error(`user add ${username} failed (${added.status}):\n${added.stderr}`);
    },
    /** Stores `pledge` through the API, as a partner page would post it; returns its reference. */
    async post(pledge) {
      const response = await fetch(`${origin}/v1/pledges`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": pledge.idempotency_key },
        body: JSON.stringify(pledge),
      });
      if (response.status !== 201) throw new Error(`POST /v1/pledges answered ${response.status}: ${await response.text()}`);
      return (await response.json()).reference;
    },
    /** Releases a pledge held for review, as the charity's staff would. */
    async release(reference) {
      return (await admin(`/v1/pledges/${encodeURIComponent(reference)}/release`, { method: "POST" })).json();
    },
    /** Stops this process and starts a new one on the same database and token. */
    async restart() {
      await this.stop({ keepData: true });
      return startReceiver({ allowedOrigins, dataDir: dir, adminToken, productionLimits, extraArgs });
    },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      if (ownDir && !keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}
