// The partner kit as a partner's web developer uses it: served by the real receiver at /kit/,
// each setting changed and seen in the live preview, the code copied with the keyboard, pasted
// into a fresh page under its own Content-Security-Policy, and a pledge completed there.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactPath, launchBrowser, openPage } from "./support/browser.mjs";
import { startHost } from "./support/host.mjs";
import { startReceiver } from "./support/receiver.mjs";
import { axeViolations, describeViolations } from "./support/axe.mjs";
import { TEXT, amountLabel, makePledge } from "./support/donor.mjs";

const WIDE = { width: 1400, height: 1000 };

describe("the partner kit", () => {
  let browser, host, receiver, pastedDir;
  before(async () => {
    pastedDir = mkdtempSync(join(tmpdir(), "sanankoroba-kit-"));
    host = await startHost({ assetDirs: [pastedDir] });
    receiver = await startReceiver({ allowedOrigins: [host.origin] });
    host.setReceiver(receiver);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
    await receiver?.stop();
    if (pastedDir) rmSync(pastedDir, { recursive: true, force: true });
  });

  /** Waits until `read()` gives `expected`, and says what it gave instead. */
  async function eventually(read, expected, what) {
    const deadline = Date.now() + 5_000;
    let value;
    while (JSON.stringify((value = await read())) !== JSON.stringify(expected)) {
      if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(value)}, not ${JSON.stringify(expected)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  test("every setting shows in the preview, and the copied code takes a pledge on a fresh page", async () => {
    const started = performance.now();
    const { page, context, problems } = await openPage(browser, { viewport: WIDE, permissions: ["clipboard-read", "clipboard-write"] });
    try {
      await page.goto(`${receiver.origin}/kit/`);
      const preview = page.locator(".kit-frame sanankoroba-widget");
      const heading = preview.locator("#sk-step-heading");
      await heading.waitFor();
      const label = (text) => page.getByLabel(text, { exact: true });
      assert.equal(await label("Endpoint").inputValue(), receiver.endpoint, "the receiver's own endpoint, filled in");

      await label("Language").selectOption("fr");
      await eventually(async () => (await heading.textContent()).trim(), TEXT.fr.chooseHeading, "the preview's question");

      // A setting the widget refuses is named under it, in the widget's own words.
      await label("Partner id").fill("Not A Partner");
      await eventually(() => page.locator("#partner-error").count(), 1, "the partner id's message");
      assert.match(await page.locator("#partner-error").textContent(), /^The "partner" attribute /);
      assert.equal(await label("Partner id").getAttribute("aria-invalid"), "true");
      assert.match(await label("Partner id").getAttribute("aria-describedby"), /\bpartner-error\b/);
      assert.equal(await preview.locator("[role=alert]").count(), 1, "the preview shows what the page would");
      assert.match(await page.locator("#code-warning").textContent(), /^The widget refuses a setting above/);
      assert.equal(await page.locator("#code-warning").isVisible(), true);
      await page.screenshot({ path: artifactPath("kit-refused-partner.png"), fullPage: true });
      await label("Partner id").fill("kit-school");
      await eventually(() => page.locator("#partner-error").count(), 0, "the message once the id is right");
      assert.equal(await label("Partner id").getAttribute("aria-invalid"), null);
      assert.equal(await page.locator("#code-warning").isVisible(), false, "the code is ready again");

      await label("Endpoint").fill("http://charity.example.org/v1/pledges");
      await eventually(() => page.locator("#endpoint-error").count(), 1, "the endpoint's message");
      assert.match(await page.locator("#endpoint-error").textContent(), /^The "endpoint" attribute must use https:/);
      await label("Endpoint").fill(receiver.endpoint);
      await eventually(() => page.locator("#endpoint-error").count(), 0, "the message once the endpoint is right");

      await label("Currency").selectOption("EUR");
      await label("Sponsor a child, each month").fill("25, 45");
      await preview.getByRole("radio", { name: TEXT.fr.options.child, exact: true }).check();
      await preview.getByRole("button", { name: TEXT.fr.next, exact: true }).click();
      await eventually(
        async () => (await preview.locator(".sk-preset-label").allTextContents()).map((text) => text.trim()),
        [await amountLabel(page, 2500, "EUR", "fr"), await amountLabel(page, 4500, "EUR", "fr")],
        "the suggested amounts"
      );

      // The accent colour's contrast is the kit's own check, with the ratio.
      await label("Accent colour").fill("#ffcc00");
      await eventually(() => page.locator("#accent-error").count(), 1, "the contrast warning");
      assert.match(await page.locator("#accent-error").textContent(), /contrast of 1\.\d\d:1 against white/);
      await label("Accent colour").fill("#8a1538");
      await eventually(() => page.locator("#accent-error").count(), 0, "the warning for a dark enough colour");
      const next = preview.getByRole("button", { name: TEXT.fr.next, exact: true });
      await eventually(() => next.evaluate((button) => getComputedStyle(button).backgroundColor), "rgb(138, 21, 56)", "the preview's accent");

      await label("Font").fill("Georgia, serif");
      await eventually(() => heading.evaluate((element) => getComputedStyle(element).fontFamily), "Georgia, serif", "the preview's font");
      await label("Corner radius, in pixels").fill("2");
      await eventually(() => next.evaluate((button) => getComputedStyle(button).borderTopLeftRadius), "2px", "the preview's corners");
      await label("Reserved height, in pixels").fill("700");
      await eventually(() => preview.evaluate((element) => getComputedStyle(element).minHeight), "700px", "the reserved height");
      await label("Width of your column").fill("280");
      await eventually(() => preview.evaluate((element) => Math.round(element.getBoundingClientRect().width)), 280, "the preview's width");
      await label("Page for setting up the gift (optional)").fill("https://charity.example.org/give?ref={reference}");
      await label("Privacy notice (optional)").fill("https://charity.example.org/privacy");
      await preview.getByRole("radio", { name: await amountLabel(page, 2500, "EUR", "fr"), exact: true }).check();
      await preview.getByRole("button", { name: TEXT.fr.next, exact: true }).click();
      const privacy = preview.getByRole("link", { name: /^Comment SOS Villages d'Enfants utilise vos données/ });
      await eventually(() => privacy.getAttribute("href"), "https://charity.example.org/privacy", "the preview's privacy link");

      await page.screenshot({ path: artifactPath("kit-settings-280-fr.png"), fullPage: true });

      // The code, copied by keyboard, as it is shown.
      const copy = async (button, shown) => {
        await page.getByRole("button", { name: button, exact: true }).focus();
        await page.keyboard.press("Enter");
        await eventually(() => page.locator("#copy-status").textContent(), `Copied ${button.replace(/^Copy /, "")}.`, "the announcement");
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        assert.equal(copied, await page.locator(shown).textContent());
        return copied;
      };
      const html = await copy("Copy the HTML", "#snippet-html");
      const css = await copy("Copy the CSS", "#snippet-css");
      const csp = await copy("Copy the policy", "#snippet-csp");
      assert.match(html, /<script src="[^"]+\/widget\/sanankoroba-widget\.[0-9a-f]{12}\.js" integrity="sha384-[^"]+" crossorigin="anonymous" async><\/script>/);
      assert.match(html, /partner="kit-school" lang="fr" currency="EUR" presets="child:25, 45"/);
      assert.match(css, /--sanankoroba-accent: #8a1538;/);
      assert.match(css, /min-height: 700px;/);
      assert.equal(csp, `script-src ${receiver.origin} 'wasm-unsafe-eval';\nconnect-src ${receiver.origin};`);
      assert.deepEqual(
        problems,
        [
          'console.error: Sanankoroba widget: The "partner" attribute must be 1 to 64 characters of lower-case letters, digits and hyphens.',
          'console.error: Sanankoroba widget: The "endpoint" attribute must use https: (plain http: is accepted only for localhost and 127.0.0.1).',
        ],
        "only the two refused settings, which the widget reports in the console as on any page"
      );

      // Pasted into a fresh page, with the policy the kit gave and nothing else allowed.
      writeFileSync(join(pastedDir, "pasted.css"), css);
      const pasted = host.page(
        "/pasted.html",
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Notre club</title><link rel="stylesheet" href="/pasted.css"></head><body><main><h1>Notre club</h1>\n${html}\n</main></body></html>`,
        { csp: `default-src 'none'; style-src 'self'; img-src data:; ${csp.replace(/\n/g, " ")} base-uri 'none'` }
      );
      const donor = await openPage(browser);
      try {
        await donor.page.goto(pasted);
        const reference = await makePledge(donor.page, TEXT.fr, {
          option: "child",
          amount: 2500,
          currency: "EUR",
          details: { givenName: "Fatoumata", familyName: "Sangaré", email: "fatoumata@example.org", country: "FR" },
        });
        const elapsed = performance.now() - started;
        const stored = await receiver.pledge(reference);
        assert.equal(stored.partner, "kit-school");
        assert.deepEqual(stored.amount, { minor_units: 2500, currency: "EUR" });
        const setUp = donor.page.getByRole("link", { name: "Mettre en place votre don", exact: true });
        assert.equal(await setUp.getAttribute("href"), `https://charity.example.org/give?ref=${encodeURIComponent(reference)}`);
        assert.deepEqual(donor.problems, [], "the pasted code runs under the policy the kit gave");
        console.log(`[kit] from opening /kit/ to a completed pledge on the pasted page: ${Math.round(elapsed)} ms`);
      } finally {
        await donor.context.close();
      }
    } finally {
      await context.close();
    }
  });

  test("the kit is served under a strict policy with Trusted Types", async () => {
    const response = await fetch(`${receiver.origin}/kit/`);
    assert.equal(response.status, 200);
    const policy = response.headers.get("content-security-policy");
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(policy, /require-trusted-types-for 'script'/);
    const redirect = await fetch(`${receiver.origin}/kit`, { redirect: "manual" });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get("location"), "/kit/");
    assert.equal((await fetch(`${receiver.origin}/kit/..%2FCargo.toml`)).status, 404, "nothing outside the kit's folder");
  });

  test("axe finds no WCAG 2.2 A or AA violation on the kit, with a setting refused, and on its settings with the contrast flagged", async () => {
    // axe is injected as an inline script, which the kit's own policy refuses; this context
    // alone sets the policy aside, to look at the page.
    const { page, context } = await openPage(browser, { viewport: WIDE, bypassCSP: true });
    try {
      await page.goto(`${receiver.origin}/kit/`);
      await page.locator(".kit-frame sanankoroba-widget #sk-step-heading").waitFor();
      await page.getByLabel("Partner id", { exact: true }).fill("Not A Partner");
      await page.locator("#partner-error").waitFor();
      const violations = await axeViolations(page, "body");
      assert.equal(violations.length, 0, describeViolations(violations));
      // A colour the kit flags is one the preview would fail with; the settings must not.
      await page.getByLabel("Accent colour", { exact: true }).fill("#ffcc00");
      await page.locator("#accent-error").waitFor();
      await page.screenshot({ path: artifactPath("kit-contrast-flagged.png"), fullPage: true });
      const flagged = await axeViolations(page, ".kit-settings");
      assert.equal(flagged.length, 0, describeViolations(flagged));
    } finally {
      await context.close();
    }
  });
});
