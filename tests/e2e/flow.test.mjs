// The donor's journeys, end to end: the widget embedded through its script tag on a partner's
// page, each pledge followed until the real receiver has stored it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { waitForWidget } from "./support/widget.mjs";
import {
  CONTACT,
  TEXT,
  addGiftAid,
  allowContact,
  amountLabel,
  back,
  chooseAmount,
  chooseOption,
  confirm,
  edit,
  expectFocusOn,
  expectStep,
  expectThanks,
  fillDetails,
  next,
  stepHeading,
  typeOtherAmount,
} from "./support/donor.mjs";

let browser, host, receiver;

before(async () => {
  ({ browser, host, receiver } = await startStack());
});

after(() => stopStack({ browser, host, receiver }));

/** A fresh browser context on a partner page embedding the widget in `lang` and `currency`. */
async function openWidget({ lang, currency, partner = "e2e-school" }) {
  const path = `/flow-${lang}-${currency}-${partner}.html`;
  const url = host.page(path, plainPage({ title: "Partner school", htmlAttributes: `lang="${lang}"`, loaderUrl: host.loaderUrl, endpoint: host.endpoint, lang, currency, partner }));
  const opened = await openPage(browser);
  await opened.page.goto(url);
  await waitForWidget(opened.page);
  return opened;
}

function reviewText(page) {
  return page.locator("sanankoroba-widget .sk-review").innerText();
}

const MOUSE_JOURNEYS = [
  { option: "child", frequency: "monthly", heading: "amountHeadingMonthly", presetIndex: 1, channels: ["email"] },
  { option: "village", frequency: "monthly", heading: "amountHeadingMonthly", presetIndex: 0, channels: [] },
  { option: "oneOff", wire: "one_off", frequency: "once", heading: "amountHeadingOnce", presetIndex: 2, channels: ["post", "phone"] },
];
const SUGGESTED = {
  GBP: { child: [2000, 3000, 5000], village: [1000, 2000, 4000], oneOff: [2500, 5000, 10000] },
  EUR: { child: [2500, 3500, 6000], village: [1200, 2500, 5000], oneOff: [3000, 6000, 12000] },
};
const DONORS = {
  en: { givenName: "Harriet", familyName: "Okafor", email: "harriet.okafor@example.org", country: "IE", currency: "GBP" },
  fr: { givenName: "Aïssata", familyName: "Diarra", email: "aissata.diarra@example.fr", country: "FR", currency: "EUR" },
};

describe("a donor completes each option by mouse", () => {
  for (const lang of ["en", "fr"]) {
    for (const journey of MOUSE_JOURNEYS) {
      test(`${journey.option} in ${lang === "en" ? "English" : "French"}`, async () => {
        const text = TEXT[lang];
        const donor = DONORS[lang];
        const minorUnits = SUGGESTED[donor.currency][journey.option][journey.presetIndex];
        const { page, context, problems } = await openWidget({ lang, currency: donor.currency });

        await chooseOption(page, text, journey.option);
        await next(page, text);
        await expectStep(page, text[journey.heading]);
        await chooseAmount(page, await amountLabel(page, minorUnits, donor.currency, lang));
        await next(page, text);
        await expectStep(page, text.detailsHeading);
        await fillDetails(page, text, donor);
        await allowContact(page, text, journey.channels);
        await next(page, text);
        await expectStep(page, text.reviewHeading);
        const review = await reviewText(page);
        for (const shown of [text.options[journey.option], `${donor.givenName} ${donor.familyName}`, donor.email]) {
          assert.ok(review.includes(shown), `the review shows ${shown}:\n${review}`);
        }
        await confirm(page, text);
        const reference = await expectThanks(page, text, donor.givenName);

        const pledge = await receiver.pledge(reference);
        assert.equal(pledge.option, journey.wire ?? journey.option);
        assert.equal(pledge.frequency, journey.frequency);
        assert.deepEqual(pledge.amount, { minor_units: minorUnits, currency: donor.currency });
        assert.equal(pledge.locale, lang);
        assert.equal(pledge.partner, "e2e-school");
        assert.deepEqual(
          { given_name: pledge.donor.given_name, family_name: pledge.donor.family_name, email: pledge.donor.email, country: pledge.donor.country },
          { given_name: donor.givenName, family_name: donor.familyName, email: donor.email, country: donor.country }
        );
        assert.deepEqual(
          { email: pledge.consent.email, post: pledge.consent.post, phone: pledge.consent.phone },
          { email: journey.channels.includes("email"), post: journey.channels.includes("post"), phone: journey.channels.includes("phone") }
        );
        // A contact detail is asked for, and arrives, only with its consent.
        assert.equal(pledge.donor.phone, journey.channels.includes("phone") ? CONTACT.phone : undefined);
        assert.deepEqual(
          pledge.donor.postal_address,
          journey.channels.includes("post") ? { address: CONTACT.postalAddress, postcode: CONTACT.postalPostcode } : undefined
        );
        assert.equal(pledge.gift_aid, undefined, "no Gift Aid outside the UK");
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }
});

describe("a donor using the keyboard alone", () => {
  test("completes a pledge with Tab, Shift+Tab, arrows, Space and Enter, focus following every step", async () => {
    const text = TEXT.en;
    const { page, context, problems } = await openWidget({ lang: "en", currency: "GBP" });
    const keys = page.keyboard;
    const live = page.locator("sanankoroba-widget [role=status]");

    /** Presses Tab (or Shift+Tab) until the focused control is the one named `name`. */
    async function tabTo(name, { backwards = false } = {}) {
      for (let presses = 0; presses < 60; presses++) {
        await keys.press(backwards ? "Shift+Tab" : "Tab");
        if ((await focusedName(page)) === name) return;
      }
      assert.fail(`Tab never reached "${name}"`);
    }
    // The step change is heard once, from the focused heading and its description.
    async function expectStepFocused(heading, position) {
      await expectStep(page, heading);
      await expectFocusOn(page, "sk-step-heading");
      assert.equal((await stepHeading(page).textContent()).trim(), heading);
      const described = await stepHeading(page).getAttribute("aria-describedby");
      if (position) assert.equal((await page.locator(`sanankoroba-widget #${described}`).textContent()).trim(), position);
      else assert.equal(described, null);
      assert.equal((await live.textContent()).trim(), "", "the live region does not repeat it");
    }

    await tabTo(text.options.child);
    await keys.press("ArrowDown");
    assert.equal(await focusedName(page), text.options.village, "the arrow moves to the next option");
    await tabTo(text.next);
    await keys.press("Enter");
    await expectStepFocused(text.amountHeadingMonthly, text.stepPosition(2, text.steps[1]));

    const firstSuggestion = await amountLabel(page, 1000, "GBP", "en");
    const secondSuggestion = await amountLabel(page, 2000, "GBP", "en");
    await tabTo(firstSuggestion);
    await keys.press("ArrowRight");
    assert.equal(await focusedName(page), secondSuggestion);
    await tabTo(text.next);
    await keys.press("Space");
    await expectStepFocused(text.detailsHeading, text.stepPosition(3, text.steps[2]));

    await tabTo(text.givenName);
    await keys.type("Kadiatou");
    await keys.press("Tab");
    await keys.type("Coulibaly");
    await keys.press("Tab");
    await keys.type("kadiatou@example.org");
    await tabTo(text.country);
    await keys.type("Mali");
    await tabTo(text.consent.post);
    await keys.press("Space");
    // Agreeing to letters asks where to send them, next in the tab order.
    await keys.press("Tab");
    assert.equal(await focusedName(page), text.postalAddress);
    await keys.type("Rue 12, Sanankoroba");
    // Enter in a text field submits the step, as in any form.
    await keys.press("Enter");
    await expectStepFocused(text.reviewHeading, text.stepPosition(4, text.steps[3]));

    await tabTo(text.confirm);
    await keys.press("Enter");
    await expectStepFocused(text.thanksHeading("Kadiatou"));
    const reference = await expectThanks(page, text, "Kadiatou");

    const pledge = await receiver.pledge(reference);
    assert.equal(pledge.option, "village");
    assert.deepEqual(pledge.amount, { minor_units: 2000, currency: "GBP" });
    assert.deepEqual(pledge.donor, {
      given_name: "Kadiatou",
      family_name: "Coulibaly",
      email: "kadiatou@example.org",
      country: "ML",
      postal_address: { address: "Rue 12, Sanankoroba", postcode: "" },
    });
    assert.deepEqual([pledge.consent.email, pledge.consent.post, pledge.consent.phone], [false, true, false]);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

/** The accessible name of the focused control inside the widget, as a screen reader reads it. */
function focusedName(page) {
  return page.evaluate(() => {
    const element = document.querySelector("sanankoroba-widget").shadowRoot.activeElement;
    if (!element) return null;
    const label = element.getAttribute("aria-label") ?? element.labels?.[0]?.textContent ?? element.textContent;
    return label.trim();
  });
}

describe("details the donor gives", () => {
  test("Gift Aid: pounds, a UK donor and the box ticked store the home address and postcode", async () => {
    const text = TEXT.en;
    const { page, context, problems } = await openWidget({ lang: "en", currency: "GBP" });
    await chooseOption(page, text, "oneOff");
    await next(page, text);
    await chooseAmount(page, await amountLabel(page, 5000, "GBP", "en"));
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    await fillDetails(page, text, { givenName: "Oliver", familyName: "Bennett", email: "oliver@example.co.uk", country: "FR" });
    assert.equal(await page.getByRole("checkbox", { name: text.giftAid }).count(), 0, "no Gift Aid for a donor outside the UK");
    await fillDetails(page, text, { country: "GB" });
    await addGiftAid(page, text, { homeAddress: "12 Mill Lane, Leeds", postcode: "LS1 4AP" });
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    const review = await reviewText(page);
    for (const shown of ["Yes, Gift Aid is added", "12 Mill Lane, Leeds", "LS1 4AP"]) {
      assert.ok(review.includes(shown), `the review shows ${shown}`);
    }
    await confirm(page, text);
    const reference = await expectThanks(page, text, "Oliver");

    const pledge = await receiver.pledge(reference);
    assert.equal(pledge.donor.country, "GB");
    assert.equal(pledge.gift_aid.home_address, "12 Mill Lane, Leeds");
    assert.equal(pledge.gift_aid.postcode, "LS1 4AP");
    assert.match(pledge.gift_aid.wording_version, /\S/);
    assert.deepEqual(pledge.amount, { minor_units: 5000, currency: "GBP" });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("Back keeps everything entered, on the step left and on the one returned to", async () => {
    const text = TEXT.en;
    const { page, context, problems } = await openWidget({ lang: "en", currency: "GBP" });
    await chooseOption(page, text, "village");
    await next(page, text);
    await typeOtherAmount(page, text, "17");
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    await fillDetails(page, text, { givenName: "Fatou", familyName: "Keita", email: "fatou@example.org", country: "SN" });

    await back(page, text);
    await expectStep(page, text.amountHeadingMonthly);
    assert.equal(await page.getByLabel(text.otherAmount, { exact: true }).inputValue(), "17");
    await back(page, text);
    await expectStep(page, text.chooseHeading);
    assert.ok(await page.getByRole("radio", { name: text.options.village, exact: true }).isChecked());
    await next(page, text);
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    for (const [label, value] of [[text.givenName, "Fatou"], [text.familyName, "Keita"], [text.email, "fatou@example.org"], [text.country, "SN"]]) {
      assert.equal(await page.getByLabel(label, { exact: true }).inputValue(), value, `${label} is kept`);
    }
    await next(page, text);
    await confirm(page, text);
    const pledge = await receiver.pledge(await expectThanks(page, text, "Fatou"));
    assert.equal(pledge.option, "village");
    assert.deepEqual(pledge.amount, { minor_units: 1700, currency: "GBP" });
    assert.equal(pledge.donor.country, "SN");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("each Edit button on the review opens its field with focus, and Next returns to the review", async () => {
    const text = TEXT.en;
    const { page, context, problems } = await openWidget({ lang: "en", currency: "GBP" });
    await chooseOption(page, text, "child");
    await next(page, text);
    await chooseAmount(page, await amountLabel(page, 2000, "GBP", "en"));
    await next(page, text);
    await fillDetails(page, text, { givenName: "Ibrahim", familyName: "Sangaré", email: "ibrahim@example.org", country: "GB" });
    await next(page, text);
    await expectStep(page, text.reviewHeading);

    await edit(page, text, "option");
    await expectFocusOn(page, "sk-option-child");
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    await expectFocusOn(page, "sk-step-heading");

    await edit(page, text, "amount");
    await expectFocusOn(page, "sk-amount-0");
    await chooseAmount(page, await amountLabel(page, 5000, "GBP", "en"));
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    assert.ok((await reviewText(page)).includes(`${await amountLabel(page, 5000, "GBP", "en")} a month`));

    await edit(page, text, "details");
    await expectFocusOn(page, "sk-given-name");
    await fillDetails(page, text, { givenName: "Ibrahima" });
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    assert.ok((await reviewText(page)).includes("Ibrahima Sangaré"));

    await edit(page, text, "giftAid");
    await expectFocusOn(page, "sk-gift-aid");
    await addGiftAid(page, text, { homeAddress: "3 Quay Street, Bristol", postcode: "BS1 4DJ" });
    await next(page, text);
    await expectStep(page, text.reviewHeading);

    await edit(page, text, "consent");
    await expectFocusOn(page, "sk-consent-email");
    await allowContact(page, text, ["email"]);
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    assert.ok((await reviewText(page)).includes(text.consent.email));

    await confirm(page, text);
    const pledge = await receiver.pledge(await expectThanks(page, text, "Ibrahima"));
    assert.deepEqual(pledge.amount, { minor_units: 5000, currency: "GBP" });
    assert.equal(pledge.donor.given_name, "Ibrahima");
    assert.equal(pledge.gift_aid.postcode, "BS1 4DJ");
    assert.equal(pledge.consent.email, true);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe("amounts of the donor's own", () => {
  test("a French decimal comma: 12,50 € is stored as 1250 cents", async () => {
    const text = TEXT.fr;
    const { page, context, problems } = await openWidget({ lang: "fr", currency: "EUR" });
    await chooseOption(page, text, "oneOff");
    await next(page, text);
    await typeOtherAmount(page, text, "12,50");
    await next(page, text);
    await fillDetails(page, text, DONORS.fr);
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    const shown = await amountLabel(page, 1250, "EUR", "fr");
    assert.ok((await reviewText(page)).includes(`${shown}, en une fois`), `the review shows ${shown}`);
    await confirm(page, text);
    const pledge = await receiver.pledge(await expectThanks(page, text, DONORS.fr.givenName));
    assert.deepEqual(pledge.amount, { minor_units: 1250, currency: "EUR" });
    assert.equal(pledge.frequency, "once");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("francs CFA have no decimals: 12,5 is refused in plain words, 12 500 is stored as 12500", async () => {
    const text = TEXT.fr;
    const { page, context, problems } = await openWidget({ lang: "fr", currency: "XOF" });
    await chooseOption(page, text, "child");
    await next(page, text);
    await typeOtherAmount(page, text, "12,5");
    await next(page, text);
    const amountInput = page.getByLabel(text.otherAmount, { exact: true });
    await page.locator("sanankoroba-widget #sk-amount-error").waitFor();
    assert.equal(
      (await page.locator("sanankoroba-widget #sk-amount-error").innerText()).replace(/^Erreur\s*:\s*/, "").trim(),
      "Saisissez un montant entier, sans décimales."
    );
    assert.equal(await amountInput.getAttribute("aria-invalid"), "true");
    await typeOtherAmount(page, text, "12 500");
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    await fillDetails(page, text, { ...DONORS.fr, country: "ML" });
    await next(page, text);
    await expectStep(page, text.reviewHeading);
    const shown = await amountLabel(page, 12500, "XOF", "fr");
    assert.ok((await reviewText(page)).includes(`${shown} par mois`), `the review shows ${shown}`);
    await confirm(page, text);
    const pledge = await receiver.pledge(await expectThanks(page, text, DONORS.fr.givenName));
    assert.deepEqual(pledge.amount, { minor_units: 12500, currency: "XOF" });
    assert.equal(pledge.locale, "fr");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
