// A partner's page changing the widget's attributes while a donor is in the middle of it,
// through the script tag and against real receivers: what the donor typed stays, and the
// pledge goes to the endpoint, in the currency, it was begun with.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { startReceiver } from "./support/receiver.mjs";
import { openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { waitForWidget } from "./support/widget.mjs";
import { TEXT, amountLabel, chooseAmount, chooseOption, confirm, expectStep, expectThanks, fillDetails, next } from "./support/donor.mjs";

const DONOR = { givenName: "Kadiatou", familyName: "Coulibaly", email: "kadiatou.coulibaly@example.org", country: "FR" };

describe("a partner page changing the widget's attributes", () => {
  let stack, other, otherEndpoint;
  before(async () => {
    stack = await startStack();
    other = await startReceiver({ allowedOrigins: [stack.host.origin] });
    otherEndpoint = stack.host.route("/campaign-b/", other);
  });
  after(async () => {
    await stopStack(stack ?? {});
    await other?.stop();
  });

  async function openWidget(path, extra = "") {
    const { host } = stack;
    const url = host.page(path, plainPage({ title: "Partner school", loaderUrl: host.loaderUrl, endpoint: host.endpoint, lang: "en", currency: "GBP", extra }));
    const opened = await openPage(stack.browser);
    await opened.page.goto(url);
    await waitForWidget(opened.page);
    return opened;
  }

  const setAttributes = (page, attributes) =>
    page.evaluate((attributes) => {
      const element = document.querySelector("sanankoroba-widget");
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    }, attributes);

  test("language applies in place, a new endpoint and currency wait, and the pledge arrives where it began", async () => {
    const { page, context, problems } = await openWidget(
      "/reconfigure-details.html",
      `privacy-url="https://charity.example.org/privacy" continue-url="https://charity.example.org/give?ref={reference}"`
    );
    try {
      const steps = [];
      await page.exposeFunction("recordStep", (step) => steps.push(step));
      await page.evaluate(() => document.querySelector("sanankoroba-widget").addEventListener("sanankoroba:step", (event) => window.recordStep(event.detail.step)));
      const en = TEXT.en;
      const fr = TEXT.fr;
      await chooseOption(page, en, "child");
      await next(page, en);
      await expectStep(page, en.amountHeadingMonthly);
      await chooseAmount(page, await amountLabel(page, 3000, "GBP", "en"));
      await next(page, en);
      await expectStep(page, en.detailsHeading);
      await fillDetails(page, en, { givenName: DONOR.givenName, email: DONOR.email });

      await setAttributes(page, { lang: "fr" });
      await expectStep(page, fr.detailsHeading);
      assert.equal(await page.getByLabel(fr.givenName, { exact: true }).inputValue(), DONOR.givenName, "what the donor typed stays");
      assert.equal(await page.getByLabel(fr.email, { exact: true }).inputValue(), DONOR.email);
      const privacy = page.getByRole("link", { name: /Comment SOS Villages d'Enfants utilise vos données/ });
      assert.equal(await privacy.getAttribute("href"), "https://charity.example.org/privacy");

      await setAttributes(page, { endpoint: otherEndpoint, currency: "EUR" });
      await expectStep(page, fr.detailsHeading);
      assert.equal(await page.getByLabel(fr.givenName, { exact: true }).inputValue(), DONOR.givenName, "a pledge-moving change waits");

      await fillDetails(page, fr, { familyName: DONOR.familyName, country: DONOR.country });
      await next(page, fr);
      await confirm(page, fr);
      const reference = await expectThanks(page, fr, DONOR.givenName);
      const link = page.getByRole("link", { name: "Mettre en place votre don", exact: true });
      assert.equal(await link.getAttribute("href"), `https://charity.example.org/give?ref=${encodeURIComponent(reference)}`);

      const stored = await stack.receiver.pledge(reference);
      assert.equal(stored.amount.currency, "GBP", "made in the currency it was begun in");
      assert.equal(stored.amount.minor_units, 3000);
      assert.equal(stored.locale, "fr", "in the language the donor finished in");
      assert.deepEqual(await other.pledges(), [], "nothing reached the endpoint set after the donor began");
      assert.deepEqual(steps, ["amount", "details", "review", "confirm", "thanks"], "a change of language is no new step");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("before any detail, a new currency starts again with its amounts; wrong settings are named", async () => {
    const { page, context, problems } = await openWidget("/reconfigure-start.html");
    try {
      const en = TEXT.en;
      await chooseOption(page, en, "child");
      await next(page, en);
      await expectStep(page, en.amountHeadingMonthly);

      await setAttributes(page, { currency: "EUR" });
      await expectStep(page, en.chooseHeading);
      await chooseOption(page, en, "child");
      await next(page, en);
      await chooseAmount(page, await amountLabel(page, 2500, "EUR", "en"));

      await setAttributes(page, { "continue-url": "http://charity.example.org/give" });
      // Only an amount chosen: nothing is lost by showing what to fix.
      const panel = page.locator("sanankoroba-widget [role=alert]");
      await panel.waitFor();
      assert.match(await panel.innerText(), /"continue-url"/);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], /Sanankoroba widget: The "continue-url" attribute must use https:/);
    } finally {
      await context.close();
    }
  });
});
