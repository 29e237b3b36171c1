// Delivery under faults, end to end: a partner page, the real receiver behind a proxy that fails
// on demand, and Chromium. Every test counts the pledges each receiver stored, through its admin
// API, and the POSTs the page made, and prints one line per fault scenario: pledges submitted,
// stored at their own endpoint, sent anywhere else, and lost.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { startReceiver } from "./support/receiver.mjs";
import { startHost } from "./support/host.mjs";
import { launchBrowser } from "./support/browser.mjs";
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
  host.breakRoute("/v1/pledges", null);
  storedBefore = (await receiver.pledges()).length;
  postsBefore = host.pledgePosts();
});

async function storedSince() {
  return (await receiver.pledges()).slice(storedBefore);
}

function postsSince() {
  return host.pledgePosts() - postsBefore;
}

/**
 * Prints the scenario's line for the delivery table. `refused` pledges were turned down by the
 * endpoint on purpose; anything else submitted and not stored at its own endpoint is lost.
 */
function report(name, { submitted, stored, elsewhere = 0, refused = 0, expired = 0, posts }) {
  const lost = submitted - stored - refused - expired;
  console.log(
    `[delivery] ${name} | submitted ${submitted} | stored at its own endpoint ${stored} | sent anywhere else ${elsewhere} | lost ${lost}` +
      (refused ? ` | refused by the endpoint ${refused}` : "") +
      (expired ? ` | deleted after 7 days, with its event ${expired}` : "") +
      ` | POSTs ${posts}`
  );
}

/**
 * Opens the partner page in `context` and records every widget event that reaches `document`,
 * from before the widget loads.
 */
async function openPartnerPage(context, pageUrl = url) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__widgetEvents = [];
    for (const type of ["sanankoroba:pledge", "sanankoroba:error"]) {
      document.addEventListener(type, (event) => {
        window.__widgetEvents.push({ type, bubbles: event.bubbles, composed: event.composed, detail: event.detail });
      });
    }
  });
  await page.goto(pageUrl);
  await waitForWidget(page);
  return page;
}

/** The widget's outbox items in the page's localStorage: `{ key, value }`. */
async function outbox(page) {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith("sanankoroba:outbox:"))
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
async function fillPledge(page, donor = DONOR) {
  await page.locator("#sk-option-child").check({ force: true });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#sk-amount-1").check({ force: true });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#sk-given-name").fill(donor.given);
  await page.locator("#sk-family-name").fill(donor.family);
  await page.locator("#sk-email").fill(donor.email);
  await page.locator("#sk-country").selectOption(donor.country);
  await page.getByRole("button", { name: "Next" }).click();
  return page.getByRole("button", { name: "Confirm my pledge" });
}

/** Resolves once the confirm step says the pledge is saved on this device. */
async function expectSaved(page) {
  await page.locator("sanankoroba-widget .sk-status-waiting").getByText("It is saved on this device").waitFor({ timeout: 15_000 });
}

/** A CDN's page for an origin it cannot reach, as Cloudflare answers with 520. */
const ORIGIN_DOWN = {
  status: 520,
  headers: { "content-type": "text/html; charset=UTF-8" },
  body: "<!DOCTYPE html><html><head><title>Web server is returning an unknown error</title></head><body><h1>Error 520</h1></body></html>",
};

/** A reverse proxy's own 404 while the route to the endpoint is not deployed yet. */
const PROXY_NOT_FOUND = {
  status: 404,
  headers: { "content-type": "text/html" },
  body: "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>",
};

async function liveRegion(page) {
  return page.locator("sanankoroba-widget [role=status][aria-live=polite]").textContent();
}

/** Waits until the thank-you step shows a reference, and returns it. */
async function receivedReference(page, timeout = 20_000) {
  const thanks = page.locator("sanankoroba-widget").getByText(REFERENCE);
  await thanks.first().waitFor({ timeout });
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
      report("503, 503, then 201", { submitted: 1, stored: stored.length, posts: postsSince() });
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
      report("endpoint unreachable, page reopened once it is back", { submitted: 1, stored: stored.length, posts: postsSince() });
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
      report("double click on confirm", { submitted: 1, stored: stored.length, posts: postsSince() });
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
      report("two tabs with the same saved pledge", { submitted: 1, stored: stored.length, posts: postsSince() });
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
      report("422 on a field", { submitted: 1, stored: (await storedSince()).length, refused: 1, posts: postsSince() });
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
      report("the host page's pledge event", { submitted: 1, stored: stored.length, posts: postsSince() });
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

  test("a CDN's 520 once: the pledge stays saved, is sent again and arrives once", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.injectFaults(ORIGIN_DOWN);
      await (await fillPledge(page)).click();
      const reference = await receivedReference(page);
      await page.waitForTimeout(1_000);
      const stored = await storedSince();
      report("a CDN's 520 once", { submitted: 1, stored: stored.length, posts: postsSince() });
      assert.equal(stored.length, 1);
      assert.equal(stored[0].reference, reference);
      const answers = host.pledgeRequests().slice(-postsSince()).map((request) => request.status);
      assert.deepEqual(answers, [520, 201], "the 520 was no final answer");
      assert.deepEqual(await outbox(page), []);
      const kinds = (await widgetEvents(page, "sanankoroba:error")).map((event) => event.detail.kind);
      assert.deepEqual(kinds, ["delivery"], "the page heard of the failed attempt, not of a refusal");
    });
  });

  test("a proxy's 404 while the endpoint is half-deployed: kept, then sent once it is fixed and the page is reopened", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.breakRoute("/v1/pledges", PROXY_NOT_FOUND);
      await (await fillPledge(page)).click();
      await expectSaved(page);
      // The widget keeps trying while the route is broken, and keeps the pledge.
      await waitUntil(async () => postsSince() >= 2, 10_000);
      const saved = await outbox(page);
      assert.equal(saved.length, 1, "still saved after the 404s");
      assert.ok(host.pledgeRequests().slice(-postsSince()).every((request) => request.status === 404));
      assert.equal((await storedSince()).length, 0);

      // The donor leaves; the route is fixed; the donor comes back another day.
      await page.goto("about:blank");
      host.breakRoute("/v1/pledges", null);
      const reopened = await openPartnerPage(context);
      await waitUntil(async () => (await storedSince()).length > 0);
      await waitUntil(async () => (await outbox(reopened)).length === 0);
      await reopened.waitForTimeout(1_500);
      const stored = await storedSince();
      report("a proxy's 404, fixed, page reopened", { submitted: 1, stored: stored.length, posts: postsSince() });
      assert.equal(stored.length, 1);
      assert.ok(saved[0].key.endsWith(stored[0].pledge.idempotency_key), "it is the pledge saved during the outage");
    });
  });

  test("the receiver down for two minutes while the page stays open: delivered once it is back, without a reload", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      const folder = receiver.dataDir;
      await receiver.stop({ keepData: true });
      // The proxy in front answers 502 Bad Gateway, as nginx does when nothing listens behind it.
      host.setReceiver(null);
      await (await fillPledge(page)).click();
      await expectSaved(page);
      assert.match(await liveRegion(page), /keep trying while this page is open/);
      const downSince = Date.now();
      await page.waitForTimeout(120_000);
      const attemptsWhileDown = postsSince();
      assert.ok(attemptsWhileDown >= 5, `the widget kept trying: ${attemptsWhileDown} attempts in two minutes`);
      assert.ok(host.pledgeRequests().slice(-attemptsWhileDown).every((request) => request.status === 502));
      assert.equal((await outbox(page)).length, 1, "still saved after two minutes");

      receiver = await startReceiver({ allowedOrigins: [host.origin], dataDir: folder, adminToken: receiver.adminToken });
      host.setReceiver(receiver);
      const backAt = Date.now();
      const reference = await receivedReference(page, 45_000);
      console.log(`[delivery] receiver back after ${Math.round((backAt - downSince) / 1000)} s; the open page delivered ${Math.round((Date.now() - backAt) / 1000)} s later`);
      await page.waitForTimeout(1_000);
      const stored = await storedSince();
      report("receiver down for two minutes, page left open", { submitted: 1, stored: stored.length, posts: postsSince() });
      assert.equal(stored.length, 1);
      assert.equal(stored[0].reference, reference);
      assert.deepEqual(await outbox(page), []);
    });
  });

  test("a pledge still undelivered after 7 days is deleted, and the page hears of it", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.setDown(true);
      await (await fillPledge(page)).click();
      await expectSaved(page);
      await page.close();
      // Closing the page made one last attempt, which the endpoint, still down, never answered.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const postsBeforeExpiry = postsSince();

      // A week and a day later, with the endpoint still down, the donor opens the page again.
      const later = await context.newPage();
      await later.clock.install({ time: Date.now() + 8 * 24 * 3_600_000 });
      await later.addInitScript(() => {
        window.__expired = [];
        document.addEventListener("sanankoroba:error", (event) => window.__expired.push(event.detail));
      });
      host.setDown(false);
      await later.goto(url);
      await waitForWidget(later);
      await waitUntil(async () => (await later.evaluate(() => window.__expired.length)) > 0, 10_000);
      const [event, ...others] = await later.evaluate(() => window.__expired);
      assert.equal(others.length, 0);
      assert.equal(event.kind, "expired");
      assert.deepEqual(Object.keys(event).sort(), ["kind", "message"]);
      assert.match(event.message, /8 days ago/);
      for (const personal of [DONOR.given, DONOR.family, DONOR.email]) {
        assert.ok(!event.message.includes(personal), `${personal} is not in the event`);
      }
      assert.deepEqual(await outbox(later), [], "deleted from this browser");
      await later.waitForTimeout(1_000);
      assert.equal(postsSince(), postsBeforeExpiry, "an expired pledge is not sent");
      const stored = (await storedSince()).length;
      report("undelivered for 7 days (clock moved)", { submitted: 1, stored, expired: 1 - stored, posts: postsSince() });
      assert.equal(stored, 0);
    });
  });

  test("closing the page sends the pledge one last time, in a request that outlives the page", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context);
      host.breakRoute("/v1/pledges", { status: 503, body: { type: "about:blank", title: "Service Unavailable", status: 503, detail: "Down." } });
      await (await fillPledge(page)).click();
      await expectSaved(page);
      // After four failures the next timed attempt is seconds away: a POST that arrives as the
      // page closes is its last attempt, not a timed one.
      await waitUntil(async () => postsSince() >= 4, 20_000);
      const saved = await outbox(page);
      host.breakRoute("/v1/pledges", null);
      const postsBeforeClose = postsSince();
      await page.close();
      await waitUntil(async () => (await storedSince()).length === 1, 10_000);
      const stored = await storedSince();
      assert.equal(postsSince(), postsBeforeClose + 1, "one request, sent as the page closed");
      assert.equal(host.pledgeRequests().at(-1).status, 201);
      assert.ok(saved[0].key.endsWith(stored[0].pledge.idempotency_key));

      // Nobody was left to hear the 201, so the pledge is still saved; the next visit's attempt
      // is answered as a replay, and nothing is stored twice.
      const next = await openPartnerPage(context);
      await waitUntil(async () => (await outbox(next)).length === 0);
      await next.waitForTimeout(1_000);
      assert.equal((await storedSince()).length, 1, "stored once");
      assert.equal(host.pledgeRequests().at(-1).status, 201);
      report("page closed while the endpoint was failing", { submitted: 1, stored: (await storedSince()).length, posts: postsSince() });
    });
  });

  test("two campaigns with two endpoints on one site: each pledge arrives only at its own", async () => {
    const other = await startReceiver({ allowedOrigins: [host.origin] });
    try {
      const otherEndpoint = host.route("/campaign-b/", other);
      const otherPath = new URL(otherEndpoint).pathname;
      const pageA = host.page("/campaign-a.html", plainPage({ title: "Campaign A", loaderUrl: host.loaderUrl, endpoint: host.endpoint, partner: "campaign-a" }));
      const pageB = host.page("/campaign-b.html", plainPage({ title: "Campaign B", loaderUrl: host.loaderUrl, endpoint: otherEndpoint, partner: "campaign-b" }));
      const donorB = { given: "Moussa", family: "Keïta", email: "moussa.keita@example.org", country: "ML" };
      await inContext(async (context) => {
        // A pledge saved by the release before endpoints were recorded, made on campaign A's page.
        const legacy = await openPartnerPage(context, pageA);
        const legacyKey = crypto.randomUUID();
        await legacy.evaluate(({ key, page }) => {
          const body = { schema_version: 1, idempotency_key: key, option: "village", frequency: "monthly", amount: { minor_units: 2000, currency: "GBP" }, donor: { given_name: "Fanta", family_name: "Diarra", email: "fanta@example.org", country: "FR" }, consent: { wording_version: "consent-2026-11", email: false, post: false, phone: false }, partner: "campaign-a", page_url: page, locale: "en", client_created_at: new Date().toISOString(), anti_spam: { honeypot: "", fill_ms: 40000 } };
          localStorage.setItem(`sanankoroba:outbox:v1:${key}`, `${Date.now()}\t0\t${JSON.stringify(body)}`);
        }, { key: legacyKey, page: pageA });
        await legacy.close();

        // Campaign A's endpoint is down while the donor pledges there.
        host.breakRoute("/v1/pledges", { status: 503, body: { type: "about:blank", title: "Service Unavailable", status: 503, detail: "Down." } });
        const a = await openPartnerPage(context, pageA);
        await (await fillPledge(a)).click();
        await expectSaved(a);
        await a.goto("about:blank");

        // On campaign B's page, the same browser holds A's pledges; only B's own is sent there.
        const b = await openPartnerPage(context, pageB);
        await (await fillPledge(b, donorB)).click();
        await receivedReference(b);
        await b.waitForTimeout(2_000);
        const atB = await other.pledges();
        assert.deepEqual(atB.map((record) => record.pledge.donor.email), [donorB.email], "B received B's donor only");
        const keysSentToB = new Set(host.pledgeRequests(otherPath).map((request) => request.key));
        assert.deepEqual([...keysSentToB], [atB[0].pledge.idempotency_key], "nothing else was even sent to B");
        assert.equal((await outbox(b)).length, 2, "A's two pledges wait for A");
        await b.goto("about:blank");

        // Campaign A is back; its page sends its own two pledges, and only to A.
        host.breakRoute("/v1/pledges", null);
        const again = await openPartnerPage(context, pageA);
        await waitUntil(async () => (await storedSince()).length === 2);
        await waitUntil(async () => (await outbox(again)).length === 0);
        await again.waitForTimeout(1_500);
        const atA = await storedSince();
        assert.deepEqual(atA.map((record) => record.pledge.donor.email).sort(), [DONOR.email, "fanta@example.org"]);
        assert.ok(atA.some((record) => record.pledge.idempotency_key === legacyKey), "the legacy pledge went to the campaign it was made on");
        assert.deepEqual((await other.pledges()).length, 1, "B still holds one");
        const sentToB = host.pledgeRequests(otherPath).filter((request) => request.key !== atB[0].pledge.idempotency_key).length;
        report("two endpoints on one site, A down", { submitted: 3, stored: atA.length + atB.length, elsewhere: sentToB, posts: postsSince() + host.pledgePosts(otherPath) });
        assert.equal(sentToB, 0);
      });
    } finally {
      await other.stop();
    }
  });
});

// The receiver with its production defaults: a form filled in under 3 s, or with the hidden
// field filled, is held for review; 10 pledges a minute per address.
describe("delivery against the receiver's own spam threshold and rate limit", () => {
  let limitedHost, limited, limitedUrl;

  before(async () => {
    limitedHost = await startHost();
    limited = await startReceiver({ allowedOrigins: [limitedHost.origin], productionLimits: true });
    limitedHost.setReceiver(limited);
    limitedUrl = limitedHost.page("/limited.html", plainPage({ title: "Partner page", loaderUrl: limitedHost.loaderUrl, endpoint: limitedHost.endpoint }));
  });

  after(async () => {
    await limitedHost?.stop();
    await limited?.stop();
  });

  test("a donor at a person's pace is stored as a new pledge; a form-filler's pledge is held for review with a real reference", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context, limitedUrl);
      // Reading the story and the options takes a person longer than the 3 s threshold.
      await page.waitForTimeout(3_500);
      await (await fillPledge(page)).click();
      const paced = await receivedReference(page);
      const [stored] = await limited.pledges();
      assert.equal(stored.reference, paced);
      assert.equal(stored.status, "new");
      assert.ok(stored.pledge.anti_spam.fill_ms >= 3_000, `fill time ${stored.pledge.anti_spam.fill_ms} ms`);

      // A browser extension that fills every field, the hidden one too.
      const filler = await openPartnerPage(context, limitedUrl);
      const confirm = await fillPledge(filler, { ...DONOR, email: "autofill@example.org" });
      await filler.getByRole("button", { name: "Back" }).click();
      await filler.locator("sanankoroba-widget #sk-website").fill("https://autofill.example", { force: true });
      await filler.getByRole("button", { name: "Next" }).click();
      await confirm.click();
      const held = await receivedReference(filler);
      assert.notEqual(held, paced);
      const review = await limited.pledges({ status: "review" });
      assert.deepEqual(review.map((record) => [record.reference, record.review_reason]), [[held, "honeypot"]], "stored, with its reason");
      assert.deepEqual((await limited.pledges()).map((record) => record.reference), [paced], "and out of the default list");
      const released = await limited.release(held);
      assert.equal(released.status, "new");
      assert.deepEqual((await limited.pledges()).map((record) => record.reference).sort(), [paced, held].sort(), "released by the charity");
      report("a person-paced pledge and a form-filler's, default threshold", { submitted: 2, stored: (await limited.pledges()).length, posts: limitedHost.pledgePosts() });
    });
  });

  test("429 with Retry-After: the widget waits as long as it is asked and then delivers", async () => {
    await inContext(async (context) => {
      const page = await openPartnerPage(context, limitedUrl);
      // A person, not a bot: the pledge must not be held for review.
      await page.waitForTimeout(3_500);
      const confirm = await fillPledge(page, { ...DONOR, email: "busy.evening@example.org" });
      // Other donors behind the same address have just used this minute's allowance. Drain it
      // until the next pledge is at least 3 s away, so that the donor's click surely meets it.
      let wait = 0;
      for (let tries = 0; wait < 3 && tries < 100; tries++) {
        const answer = await fetch(limited.endpoint, { method: "POST", headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }, body: "{}" });
        wait = answer.status === 429 ? Number(answer.headers.get("retry-after")) : 0;
        if (answer.status === 429 && wait < 3) await new Promise((resolve) => setTimeout(resolve, wait * 1_000));
      }
      assert.ok(wait >= 3, "the allowance is used up");
      const before = limitedHost.pledgePosts();
      await confirm.click();
      await page.locator("sanankoroba-widget .sk-status-waiting").getByText("the service is busy right now").waitFor({ timeout: 10_000 });
      const reference = await receivedReference(page, 30_000);
      const answers = limitedHost.pledgeRequests().slice(before);
      assert.equal(answers[0].status, 429);
      const asked = Number(answers[0].retryAfter);
      assert.ok(asked >= 3, `Retry-After: ${answers[0].retryAfter}`);
      assert.ok(answers[1].at - answers[0].at >= (asked - 1) * 1_000, "the next attempt waited as asked");
      assert.equal(answers.at(-1).status, 201);
      const stored = (await limited.pledges()).filter((record) => record.pledge.donor.email === "busy.evening@example.org");
      report("429 with Retry-After, default rate limit", { submitted: 1, stored: stored.length, posts: answers.length });
      assert.equal(stored.length, 1);
      assert.equal(stored[0].reference, reference);
    });
  });
});
