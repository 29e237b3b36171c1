// The bundle under measurement: a private copy of dist/widget/ and its size report, taken once,
// so that a rebuild of dist/ while the runs go on cannot change what is measured.

import { cpSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { DIST_DIR, ROOT } from "../e2e/support/paths.mjs";

const ATTEMPTS = 60;

/**
 * Copies the bundle into `into` and returns its size report. A copy whose files differ from the
 * report (a build was halfway through) is taken again, for up to a minute.
 */
export async function snapshotBundle(into) {
  for (let attempt = 1; ; attempt++) {
    rmSync(into, { recursive: true, force: true });
    try {
      const report = readFileSync(join(ROOT, "dist/size-report.json"), "utf8");
      cpSync(DIST_DIR, into, { recursive: true });
      const sizes = JSON.parse(report);
      // Sizes are reported under the stable names; all but the loader ship under hashed ones.
      const { files } = JSON.parse(readFileSync(join(into, "manifest.json"), "utf8"));
      const shipped = (name) => join(into, files[name]?.file ?? name);
      if (sizes.files.every((file) => statSync(shipped(file.name)).size === file.raw)) return sizes;
    } catch (error) {
      if (attempt === ATTEMPTS) throw error;
    }
    if (attempt === ATTEMPTS) throw new Error("dist/widget/ kept changing for a minute: is `cargo xtask dist` running in a loop?");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
