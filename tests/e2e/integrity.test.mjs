// Versioned files and Subresource Integrity: the loader names each file by its content hash with
// its integrity, the browser refuses a file that does not match, and the donor then reads the
// load failure in their language instead of a blank box.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { DIST_DIR, bundleFile } from "./support/paths.mjs";
import { startStack, stopStack } from "./support/stack.mjs";
import { waitForWidget } from "./support/widget.mjs";

const manifest = () => JSON.parse(readFileSync(join(DIST_DIR, "manifest.json"), "utf8"));

const FAILED = {
  en: "The donation form could not load. Please try again later.",
  fr: "Le formulaire de don n'a pas pu se charger. Veuillez réessayer plus tard.",
};

/** The same bytes with one changed, as a compromised or corrupted copy would be. */
function tampered(bytes) {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at] === 0x20 ? 0x09 : 0x20;
  return copy;
}

describe("versioned files with integrity", () => {
  let stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stopStack(stack ?? {}));

  for (const [name, type, lang] of [
    ["sanankoroba_widget_bg.wasm", "application/wasm", "fr"],
    ["sanankoroba_widget.js", "text/javascript", "en"],
    ["sanankoroba-widget.css", "text/css", "fr"],
  ]) {
    test(`a tampered ${name.split(".").pop()} file is refused and the donor reads the load failure in ${lang}`, async () => {
      const { host } = stack;
      const { page, context, problems } = await openPage(stack.browser);
      try {
        const file = bundleFile(name);
        await page.route(`**/widget/${file}`, (route) =>
          route.fulfill({ status: 200, contentType: type, body: tampered(readFileSync(join(DIST_DIR, file))) })
        );
        const url = host.page(`/tampered-${file}.html`, plainPage({ htmlAttributes: `lang="${lang}"`, loaderUrl: host.loaderUrl, endpoint: host.endpoint, extra: 'loading="eager"' }));
        await page.goto(url);
        const alert = page.locator("sanankoroba-widget [role=alert]");
        await alert.waitFor({ timeout: 15_000 });
        assert.equal(await alert.textContent(), FAILED[lang]);
        assert.equal(await alert.getAttribute("lang"), lang);
        assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 0, "no part of the widget runs");
        assert.ok(
          problems.some((line) => line.includes("Sanankoroba widget: could not load from")),
          `the partner gets a console line: ${problems.join(" | ")}`
        );
      } finally {
        await context.close();
      }
    });
  }

  test("the pinned loader, with the integrity and crossorigin the snippet carries, loads the widget", async () => {
    const { host } = stack;
    const { loader } = manifest();
    const { page, context, problems } = await openPage(stack.browser);
    try {
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Pinned</title></head><body><main><h1>Pinned</h1>
<script src="/widget/${loader.pinned}" integrity="${loader.integrity}" crossorigin="anonymous" async></script>
<sanankoroba-widget endpoint="${host.endpoint}" partner="e2e-school" loading="eager"></sanankoroba-widget></main></body></html>`;
      await page.goto(host.page("/pinned.html", html));
      await waitForWidget(page);
      assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 1);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the receiver serves hashed names as immutable for a year and the loader for five minutes", async () => {
    const { receiver } = stack;
    const { files, loader } = manifest();
    for (const name of Object.keys(files)) {
      const response = await fetch(`${receiver.origin}/widget/${files[name].file}`);
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable", name);
    }
    const stable = await fetch(`${receiver.origin}/widget/${loader.stable}`);
    assert.equal(stable.headers.get("cache-control"), "public, max-age=300");
  });

  test("a widget removed while the files download does not hold up the next one", async () => {
    const { host } = stack;
    const { page, context, problems } = await openPage(stack.browser);
    try {
      let release;
      const held = new Promise((resolve) => (release = resolve));
      await page.route(`**/widget/${bundleFile("sanankoroba_widget.js")}`, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(host.page("/removed-early.html", plainPage({ loaderUrl: host.loaderUrl, endpoint: host.endpoint, extra: 'loading="eager"' })));
      await page.locator("sanankoroba-widget .sk-placeholder").waitFor();
      await page.evaluate(() => document.querySelector("sanankoroba-widget").remove());
      release();
      await page.evaluate((endpoint) => {
        const next = document.createElement("sanankoroba-widget");
        next.setAttribute("endpoint", endpoint);
        next.setAttribute("loading", "eager");
        document.querySelector("main").append(next);
      }, host.endpoint);
      await waitForWidget(page);
      assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 1);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
