// The embed contract, end to end: a partner page with one script tag and one element.

import { bundleFile } from "./support/paths.mjs";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { openPage, artifactPath } from "./support/browser.mjs";
import { HOSTILE_CSS, RESERVE_CSS, plainPage } from "./support/pages.mjs";
import { computedStyles, cumulativeLayoutShift, recordLayoutShifts, waitForWidget } from "./support/widget.mjs";
import { TEXT, makePledge } from "./support/donor.mjs";

let browser, host, receiver;

before(async () => {
  ({ browser, host, receiver } = await startStack());
});

after(() => stopStack({ browser, host, receiver }));

const KEY_ELEMENTS = [".sk-root", ".sk-frame", "h2", "p", "button", "input", "label"];
const KEY_PROPERTIES = [
  "font-family", "font-size", "font-weight", "line-height", "letter-spacing", "text-transform", "color",
  "background-color", "border-top-width", "border-top-style", "padding-top", "margin-top", "display", "direction",
];

describe("the embed contract", () => {
  test("renders the same on a page with aggressive global CSS as on a plain page", async () => {
    const embed = { loaderUrl: host.loaderUrl, endpoint: host.endpoint };
    const plainUrl = host.page("/plain.html", plainPage({ title: "Plain partner", ...embed }));
    const hostileUrl = host.page("/hostile.html", plainPage({ title: "Hostile partner", head: HOSTILE_CSS, ...embed }));

    const styles = {};
    for (const [name, url] of [["plain", plainUrl], ["hostile", hostileUrl]]) {
      const { page, context, problems } = await openPage(browser);
      await page.goto(url);
      await waitForWidget(page);
      styles[name] = await computedStyles(page, KEY_ELEMENTS, KEY_PROPERTIES);
      await page.locator("sanankoroba-widget").screenshot({ path: artifactPath(`embed-${name}.png`) });
      assert.deepEqual(problems, [], `${name} page stayed free of errors`);
      await context.close();
    }
    for (const selector of [".sk-frame", "h2", "button"]) {
      assert.ok(styles.plain[selector], `${selector} is rendered`);
    }
    assert.deepEqual(styles.hostile, styles.plain, "host CSS does not leak into the widget");
    // The hostile sheet really was applied to the page itself.
    const { page, context } = await openPage(browser);
    await page.goto(hostileUrl);
    const hostileFont = await page.evaluate(() => getComputedStyle(document.querySelector("h1")).fontSize);
    assert.equal(hostileFont, "40px");
    await context.close();
  });

  test("loads nothing but the loader until the widget nears the viewport", async () => {
    const url = host.page(
      "/below-the-fold.html",
      plainPage({
        title: "Long partner page",
        head: '<link rel="stylesheet" href="/long-page.css">',
        before: '<div class="spacer">Scroll down to read about Sanankoroba.</div>',
        loaderUrl: host.loaderUrl,
        endpoint: host.endpoint,
      })
    );
    const { page, context, problems } = await openPage(browser);
    const fetched = [];
    page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(500);
    const widgetFiles = fetched.filter((path) => path.startsWith("/widget/"));
    assert.deepEqual(widgetFiles, ["/widget/sanankoroba-widget.js"], "only the loader is fetched");
    const reserved = await page.locator("sanankoroba-widget").evaluate((el) => el.getBoundingClientRect().height);
    assert.equal(reserved, 640, "the loader reserves 640px before the widget loads");

    await page.locator("sanankoroba-widget").scrollIntoViewIfNeeded();
    await waitForWidget(page);
    assert.ok(fetched.includes(`/widget/${bundleFile("sanankoroba_widget_bg.wasm")}`), "the wasm is fetched once the widget is near");
    assert.equal(fetched.filter((path) => path.endsWith(".wasm")).length, 1);
    // The glue is checked by a modulepreload link, then imported from the browser's module map.
    assert.equal(fetched.filter((path) => path === `/widget/${bundleFile("sanankoroba_widget.js")}`).length, 1, "the glue is downloaded once");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("does not shift the page's layout when it loads", async () => {
    for (const placement of ["first-viewport", "below-the-fold"]) {
      const url = host.page(
        `/cls-${placement}.html`,
        plainPage({
          title: "Partner page with text after the widget",
          head: `<link rel="stylesheet" href="/long-page.css">${RESERVE_CSS}`,
          before: placement === "below-the-fold" ? '<div class="spacer">Intro</div>' : "",
          after: "<p>Text that follows the widget on the partner's page.</p>".repeat(20),
          loaderUrl: host.loaderUrl,
          endpoint: host.endpoint,
        })
      );
      const { page, context } = await openPage(browser);
      await recordLayoutShifts(page);
      await page.goto(url);
      await page.locator("sanankoroba-widget").scrollIntoViewIfNeeded();
      await waitForWidget(page);
      await page.waitForTimeout(500);
      assert.equal(await cumulativeLayoutShift(page), 0, `CLS with the widget ${placement}`);
      await context.close();
    }
  });

  test("without the partner's reserve rule, nothing shifts once the loader has run", async () => {
    const url = host.page(
      "/cls-no-reserve.html",
      plainPage({
        title: "Partner page without the reserve rule",
        after: "<p>Text that follows the widget on the partner's page.</p>".repeat(20),
        loaderUrl: host.loaderUrl,
        endpoint: host.endpoint,
      })
    );
    const { page, context } = await openPage(browser);
    await recordLayoutShifts(page);
    await page.addInitScript(() => {
      customElements.whenDefined("sanankoroba-widget").then(() =>
        requestAnimationFrame(() => requestAnimationFrame(() => (window.__reservedShiftCount = window.__layoutShifts.length)))
      );
    });
    await page.goto(url);
    await waitForWidget(page);
    await page.waitForTimeout(500);
    const { total, afterReserve } = await page.evaluate(() => ({
      total: window.__layoutShifts.length,
      afterReserve: window.__layoutShifts.slice(window.__reservedShiftCount).reduce((sum, v) => sum + v, 0),
    }));
    assert.ok(total >= 0);
    assert.equal(afterReserve, 0, "the widget's own loading and rendering move nothing");
    await context.close();
  });

  test("defines one global, sets no cookie and leaves <html> and <head> alone", async () => {
    const url = host.page("/globals.html", plainPage({ title: "Globals", loaderUrl: host.loaderUrl, endpoint: host.endpoint }));
    const { page, context, problems } = await openPage(browser);
    await page.addInitScript(() => {
      window.__globalsBefore = Object.getOwnPropertyNames(window);
      window.__headBefore = null;
      document.addEventListener("DOMContentLoaded", () => {
        window.__headBefore = document.head.outerHTML;
        window.__htmlAttributesBefore = [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`);
      });
    });
    await page.goto(url);
    await waitForWidget(page);
    const after = await page.evaluate(() => ({
      added: Object.getOwnPropertyNames(window).filter((name) => !window.__globalsBefore.includes(name) && !name.startsWith("__")),
      headUnchanged: document.head.outerHTML === window.__headBefore,
      htmlAttributes: [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`),
      htmlAttributesBefore: window.__htmlAttributesBefore,
      cookie: document.cookie,
    }));
    assert.deepEqual(after.added, ["SanankorobaWidget"]);
    assert.ok(after.headUnchanged, "<head> is untouched");
    assert.deepEqual(after.htmlAttributes, after.htmlAttributesBefore, "<html> is untouched");
    assert.equal(after.cookie, "");
    assert.deepEqual((await context.cookies()).map((c) => c.name), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the JS API mounts into any element, and unmounting or removal frees it", async () => {
    const url = host.page(
      "/api.html",
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>API</title>
       <script src="${host.loaderUrl}"></script></head>
       <body><div id="slot"></div>${'<sanankoroba-widget endpoint="' + host.endpoint + '"></sanankoroba-widget>'}</body></html>`
    );
    const { page, context, problems } = await openPage(browser);
    await page.goto(url);
    await page.evaluate(async (endpoint) => {
      window.__handle = window.SanankorobaWidget.mount(document.getElementById("slot"), { endpoint, lang: "fr" });
      await window.__handle.ready;
    }, host.endpoint);
    await waitForWidget(page, "#slot");
    assert.equal(await page.locator("#slot .sk-frame").getAttribute("lang"), "fr");

    await page.evaluate(() => window.__handle.unmount());
    assert.equal(await page.evaluate(() => document.getElementById("slot").shadowRoot.childElementCount), 0);

    await waitForWidget(page);
    const shadowChildrenAfterRemoval = await page.evaluate(() => {
      const element = document.querySelector("sanankoroba-widget");
      element.remove();
      return element.shadowRoot.childElementCount;
    });
    assert.equal(shadowChildrenAfterRemoval, 0, "removing the element unmounts the widget");
    assert.equal(await page.evaluate(() => Object.isFrozen(window.SanankorobaWidget)), true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a broken configuration is shown in the widget and the console, and sends nothing", async () => {
    const url = host.page(
      "/broken.html",
      plainPage({ title: "Broken config", loaderUrl: host.loaderUrl, endpoint: "javascript:alert(1)", currency: "JPY" })
    );
    const { page, context, problems } = await openPage(browser);
    const posts = [];
    page.on("request", (request) => request.method() === "POST" && posts.push(request.url()));
    await page.goto(url);
    await waitForWidget(page);
    const alert = page.getByRole("alert");
    await assert.doesNotReject(alert.waitFor());
    const text = await alert.innerText();
    assert.match(text, /"endpoint"/);
    assert.match(text, /"currency"/);
    assert.ok(problems.some((p) => p.includes('Sanankoroba widget: The "endpoint" attribute')), problems.join("\n"));
    assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 0);
    assert.deepEqual(posts, []);
    await context.close();
  });

  test("loads from another origin, as from a CDN, with the receiver as the endpoint", async () => {
    const url = host.page(
      "/cross-origin.html",
      plainPage({ title: "CDN", loaderUrl: `${receiver.origin}/widget/sanankoroba-widget.js`, endpoint: receiver.endpoint })
    );
    const { page, context, problems } = await openPage(browser);
    await page.goto(url);
    await waitForWidget(page);
    assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the demo partner page, served by the receiver under its strict CSP, takes a pledge", async () => {
    const { page, context, problems } = await openPage(browser);
    await page.goto(`${receiver.origin}/`);
    await waitForWidget(page);
    const reference = await makePledge(page, TEXT.en, {
      option: "village",
      amount: 1000,
      details: { givenName: "Ama", familyName: "Diallo", email: "ama.diallo@example.org", country: "GB" },
    });
    const stored = await receiver.pledge(reference);
    assert.equal(stored.partner, "st-marys-primary");
    assert.equal(stored.option, "village");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
