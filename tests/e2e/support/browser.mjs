// Debian's headless Chromium, driven by playwright-core.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS_DIR, CHROMIUM } from "./paths.mjs";

const ARGS = [
  "--no-sandbox", // Chromium refuses to start as root otherwise.
  "--disable-gpu",
  "--disable-dev-shm-usage",
  // Without these, Chromium keeps trying to reach Google's services on a closed network.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * A fresh page that records console errors, uncaught exceptions and CSP violations, so that a
 * test can assert the page stayed clean.
 */
export async function openPage(browser, { viewport = { width: 1024, height: 768 }, ...options } = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  await page.exposeFunction("__reportCspViolation", (text) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
  return { context, page, problems };
}

export function artifactPath(name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
