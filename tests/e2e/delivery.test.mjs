// Delivery under faults, end to end: a partner page, the real receiver behind a proxy that fails
// on demand, and Chromium. Every test counts the pledges the receiver stored through its admin
// API, and the POSTs the page made, and prints both.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { waitForWidget } from "./support/widget.mjs";

const DONOR = { given: "Awa", family: "Traoré", email: "awa.traore@example.org", country: "FR" };
const REFERENCE = /SK-[0-9A-Z]{4}-[0-9A-Z]{4}/;

let browser, host, receiver, url;
// Pledges stored and POSTs made before the current test, so each test counts its own.
let storedBefore = 0;
let postsBefore = 0;

before(async () => {
  ({ browser, host, receiver } = await startStack());
  url = host.page("/delivery.html", plainPage({ title: "Partner page", loaderUrl: host.loaderUrl, endpoint: host.endpoint }));
});

after(() => stopStack({ browser, host, receiver }));

beforeEach(async () => {
  host.setDown(false);
  storedBefore = (await receiver.pledges()).length;
  postsBefore = host.pledgePosts();
});

async function storedSince() {
  return (await receiver.pledges()).slice(storedBefore);
}

function postsSince() {
  return host.pledgePosts() - postsBefore;
}

function report(name, submitted, stored, posts) {
  console.log(`[delivery] ${name}: pledges submitted ${submitted}, stored ${stored}, POSTs ${posts}`);
}

/**
 * Opens the partner page in `context` and records every widget event that reaches `document`,
 * from before the widget loads.
 */
async function openPartnerPage(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__widgetEvents = [];
    for (const type of ["sanankoroba:pledge", "sanankoroba:error"]) {
      document.addEventListener(type, (event) => {
        window.__widgetEvents.push({ type, bubbles: event.bubbles, composed: event.composed, detail: event.detail });
      });
    }
  });
  await page.goto(url);
  await waitForWidget(page);
  return page;
}

/** The widget's outbox items in the page's localStorage: `{ key, value }`. */
async function outbox(page) {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith("sanankoroba:outbox:v1:"))
      .map((key) => ({ key, value: localStorage.getItem(key) }))
  );
}

async function widgetEvents(page, type) {
  return (await page.evaluate(() => window.__widgetEvents)).filter((event) => event.type === type);
}

/**
 * Runs `body` with a fresh browser context, and closes it even when the test fails: a page left
 * open would keep retrying its pledge into the next test's counts.
 */
async function inContext(body) {
  const { context, problems } = await openPage(browser);
  try {
    await body(context, problems);
  } finally {
    await context.close();
  }
}

/** Walks the donor through the steps up to the review, where "Confirm my pledge" waits. */
async function fillPledge(page) {
  await page.locator("#sk-option-child").check({ force: true });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#sk-amount-1").check({ force: true });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#sk-given-name").fill(DONOR.given);
  await page.locator("#sk-family-name").fill(DONOR.family);
  await page.locator("#sk-email").fill(DONOR.email);
  await page.locator("#sk-country").selectOption(DONOR.country);
  await page.getByRole("button", { name: "Next" }).click();
  return page.getByRole("button", { name: "Confirm my pledge" });
}

async function liveRegion(page) {
  return page.locator("sanankoroba-widget [role=status][aria-live=polite]").textContent();
}

/** Waits until the thank-you step shows a reference, and returns it. */
async function receivedReference(page) {
  const thanks = page.locator("sanankoroba-widget").getByText(REFERENCE);
  await thanks.first().waitFor({ timeout: 20_000 });
  return REFERENCE.exec(await thanks.first().textContent())[0];
}

async function waitUntil(condition, timeout = 20_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeout) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("delivery under faults", () => {
  test("503 twice, then 201: one pledge stored, and the donor sees it received", async () => {
    await inContext(async (context, problems) => {
      const page = await openPartnerPage(context);
      host.injectFaults(
        { status: 503, body: { type: "about:blank", title: "Service Unavailable", status: 503, detail: "Injected." } },
        { status: 503, body: { type: "about:blank", title: "Service Unavailable", status: 503, detail: "Injected." } }
      );
      await (await fillPledge(page)).click();

      const reference = await receivedReference(page);
      const stored = await storedSince();
      report("503, 503, 201", 1, stored.length, postsSince());
      assert.equal(stored.length, 1, "exactly one pledge stored");
      assert.equal(stored[0].reference, reference, "the donor sees the stored pledge's reference");
      assert.equal(postsSince(), 3, "two failures and one success");
      assert.deepEqual(await outbox(page), [], "the outbox is empty");
      // Playwright's console capture reports the failed requests as errors; nothing else may be there.
      assert.deepEqual(problems.filter((p) => !p.includes("503")), []);
    });
  });

  test("endpoint down: the donor sees saved; reopened once it is back, the pledge arrives once", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.setDown(true);
      await (await fillPledge(page)).click();
      await page.locator("sanankoroba-widget .sk-status-waiting").getByText("It is saved on this device").waitFor({ timeout: 10_000 });
      assert.match(await liveRegion(page), /saved on this device/, "the live region says it is saved");
      const saved = await outbox(page);
      assert.equal(saved.length, 1, "the pledge is in the outbox");
      const kept = await widgetEvents(page, "sanankoroba:error");
      assert.ok(kept.length >= 1 && kept.every((event) => event.detail.kind === "delivery"));
      assert.equal((await storedSince()).length, 0, "nothing reached the receiver");

      // The donor leaves; the endpoint comes back; the donor opens the page again. Leaving
      // first means the earlier page's own retries cannot deliver it in the meantime.
      await page.goto("about:blank");
      host.setDown(false);
      const postsBeforeReload = postsSince();
      await page.goto(url);
      await waitForWidget(page);
      await waitUntil(async () => (await storedSince()).length > 0);
      await waitUntil(async () => (await outbox(page)).length === 0);
      // Give a duplicate every chance to show up.
      await page.waitForTimeout(1_500);
      const stored = await storedSince();
      report("down, then reopened", 1, stored.length, postsSince());
      assert.equal(stored.length, 1, "exactly one pledge stored");
      assert.equal(stored[0].pledge.donor.email, DONOR.email);
      assert.ok(saved[0].key.endsWith(stored[0].pledge.idempotency_key), "it is the saved pledge");
      assert.ok(saved[0].value.includes(DONOR.email));
      assert.ok(postsSince() > postsBeforeReload, "the reopened page sent it");
      const pledges = await widgetEvents(page, "sanankoroba:pledge");
      assert.equal(pledges.length, 1, "the reopened page told its host once");
      assert.equal(pledges[0].detail.reference, stored[0].reference);
    });
  });

  test("a double click on confirm stores exactly one pledge", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      // A slow endpoint keeps the first request in flight while the second click lands.
      host.setDelay(500);
      try {
        await (await fillPledge(page)).dblclick();
        await receivedReference(page);
      } finally {
        host.setDelay(0);
      }
      await page.waitForTimeout(1_000);
      const stored = await storedSince();
      report("double click", 1, stored.length, postsSince());
      assert.equal(stored.length, 1);
      assert.equal(postsSince(), 1, "the second click sent nothing");
    });
  });

  test("two tabs with the same saved pledge store it once", async () => {
    await inContext(async (context) => {
      const first = await openPartnerPage(context);
      host.setDown(true);
      await (await fillPledge(first)).click();
      await first.locator("sanankoroba-widget .sk-status-waiting").getByText("It is saved on this device").waitFor({ timeout: 10_000 });
      host.setDown(false);
      // A second tab opens while the first keeps retrying on its own; both read the same
      // outbox and both send the same key.
      const second = await openPartnerPage(context);
      await waitUntil(async () => (await outbox(second)).length === 0);
      await receivedReference(first);
      await first.waitForTimeout(1_500);
      const stored = await storedSince();
      report("two tabs", 1, stored.length, postsSince());
      assert.equal(stored.length, 1, "exactly one pledge stored");
    });
  });

  test("a 422 with a field error puts the message on that field", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.injectFaults({
        status: 422,
        body: {
          type: "/problems/invalid-pledge",
          title: "The pledge has invalid fields",
          status: 422,
          detail: "1 field was refused.",
          errors: [{ pointer: "/donor/email", code: "invalid_email", detail: "This is not a valid email address." }],
        },
      });
      await (await fillPledge(page)).click();

      const message = page.locator("sanankoroba-widget #sk-email-error");
      await message.waitFor({ timeout: 10_000 });
      assert.match(await message.textContent(), /email/i);
      assert.equal(await page.locator("sanankoroba-widget #sk-email").getAttribute("aria-invalid"), "true");
      assert.match(await page.locator("sanankoroba-widget #sk-email").getAttribute("aria-describedby"), /sk-email-error/);
      await page.waitForTimeout(1_500);
      const refused = await widgetEvents(page, "sanankoroba:error");
      assert.deepEqual(refused.map((event) => event.detail.kind), ["rejected"]);
      report("422", 1, (await storedSince()).length, postsSince());
      assert.equal(postsSince(), 1, "a refusal is not retried");
      assert.equal((await storedSince()).length, 0);
      assert.deepEqual(await outbox(page), [], "nor kept");
    });
  });

  test("the host page hears sanankoroba:pledge with no personal data", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      await (await fillPledge(page)).click();
      const reference = await receivedReference(page);
      const pledges = await widgetEvents(page, "sanankoroba:pledge");
      const stored = await storedSince();
      report("host event", 1, stored.length, postsSince());
      assert.equal(pledges.length, 1);
      const [event] = pledges;
      assert.ok(event.bubbles && event.composed, "it bubbles out of the shadow root");
      assert.deepEqual(Object.keys(event.detail).sort(), ["amount_minor_units", "currency", "frequency", "option", "reference"]);
      assert.equal(event.detail.reference, reference);
      assert.equal(event.detail.option, "child");
      assert.equal(event.detail.frequency, "monthly");
      assert.equal(event.detail.currency, stored[0].pledge.amount.currency);
      assert.equal(event.detail.amount_minor_units, stored[0].pledge.amount.minor_units);
      const text = JSON.stringify(event.detail);
      for (const personal of [DONOR.given, DONOR.family, DONOR.email, stored[0].pledge.idempotency_key]) {
        assert.ok(!text.includes(personal), `${personal} is not in the event`);
      }
    });
  });
});
