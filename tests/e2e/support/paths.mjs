import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { existsSync, readFileSync } from "node:fs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const DIST_DIR = join(ROOT, "dist/widget");
export const PAGES_DIR = join(ROOT, "tests/e2e/pages");
export const ARTIFACTS_DIR = join(ROOT, "target/e2e-artifacts");
export const RECEIVER_BIN = process.env.RECEIVER_BIN ?? join(ROOT, "target/debug/sanankoroba-receiver");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

for (const [what, path, fix] of [
  ["the built widget", join(DIST_DIR, "sanankoroba-widget.js"), "cargo xtask dist"],
  ["the receiver", RECEIVER_BIN, "cargo build -p sanankoroba-receiver"],
  ["Chromium", CHROMIUM, "apt-get install chromium"],
]) {
  if (!existsSync(path)) throw new Error(`${what} is missing at ${path}: run \`${fix}\` (cargo xtask test does it all)`);
}

/**
 * The name `cargo xtask dist` gave a file of the bundle, by the stable name it is built and
 * reported under: the glue, the wasm and the stylesheet carry a content hash.
 */
export function bundleFile(name) {
  const manifest = JSON.parse(readFileSync(join(DIST_DIR, "manifest.json"), "utf8"));
  const file = manifest.files[name]?.file;
  if (!file) throw new Error(`dist/widget/manifest.json names no ${name}`);
  return file;
}
