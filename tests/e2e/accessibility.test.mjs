// Accessibility of the donor's journey: axe-core at every step and in the error states, the
// error summary and inline messages, focus and announcements, target sizes, focus rings,
// reduced motion, and screenshots at a narrow and a wide container.
//
// Pages here carry no Content-Security-Policy, since axe is injected as an inline script.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { artifactPath, openPage } from "./support/browser.mjs";
import { plainPage } from "./support/pages.mjs";
import { waitForWidget } from "./support/widget.mjs";
import { expectNoViolations } from "./support/axe.mjs";
import {
  TEXT,
  addGiftAid,
  amountLabel,
  chooseAmount,
  chooseOption,
  confirm,
  expectFocusOn,
  expectStep,
  expectThanks,
  fillDetails,
  next,
  typeOtherAmount,
} from "./support/donor.mjs";

let browser, host, receiver;

before(async () => {
  ({ browser, host, receiver } = await startStack());
});

after(() => stopStack({ browser, host, receiver }));

/**
 * A partner page whose column around the widget is `width` px wide, in a fresh context.
 * Pounds in both languages, so that the Gift Aid states are reached in both.
 */
async function openWidget({ lang = "en", width = 960, reducedMotion } = {}) {
  const path = `/a11y-${lang}-${width}.html`;
  const url = host.page(
    path,
    plainPage({
      title: "Partner school",
      htmlAttributes: `lang="${lang}"`,
      head: `<style>body { margin: 0; padding: 16px; } .partner-column { inline-size: ${width}px; }</style>`,
      before: '<div class="partner-column">',
      after: "</div>",
      loaderUrl: host.loaderUrl,
      endpoint: host.endpoint,
      lang,
      currency: "GBP",
    })
  );
  const opened = await openPage(browser, { viewport: { width: width + 40, height: 900 }, reducedMotion });
  await opened.page.goto(url);
  await waitForWidget(opened.page);
  return opened;
}

async function expectErrorSummary(page, text) {
  await expectFocusOn(page, "sk-error-summary");
  assert.equal((await page.locator("sanankoroba-widget .sk-summary-title").innerText()).trim(), text.errorSummary);
}

/**
 * A step change is heard once: the focused heading is described by the step's position, and
 * the live region does not say it again.
 */
async function expectPositionRead(page, expected) {
  const heading = page.locator("sanankoroba-widget #sk-step-heading");
  const ids = (await heading.getAttribute("aria-describedby")) ?? "";
  const description = await page.evaluate((ids) => {
    const root = document.querySelector("sanankoroba-widget").shadowRoot;
    return ids.split(/\s+/).map((id) => root.getElementById(id)?.textContent ?? "").join(" ").trim();
  }, ids);
  assert.equal(description, expected);
  await expectAnnounced(page, "");
}

/** The live region's words once it has settled on `expected`. */
async function expectAnnounced(page, expected) {
  const live = page.locator("sanankoroba-widget [role=status][aria-live=polite]");
  const deadline = Date.now() + 5_000;
  let said;
  while ((said = (await live.textContent()).trim()) !== expected) {
    if (Date.now() > deadline) assert.fail(`the live region says "${said}", not "${expected}"`);
    await page.waitForTimeout(20);
  }
}

/** Every state `walkEveryState` visits, in order. */
const STATES = ["choose", "choose-errors", "amount", "amount-errors", "details", "details-errors", "gift-aid-errors", "gift-aid", "review", "confirm", "thanks"];

/**
 * Walks one pledge through every state a donor can see, calling `visit(state)` in each:
 * each step, each step submitted with errors, Gift Aid, sending, and the thank-you.
 */
async function walkEveryState(page, text, visit) {
  await visit("choose");
  await next(page, text);
  await expectErrorSummary(page, text);
  await visit("choose-errors");
  await chooseOption(page, text, "child");
  await next(page, text);

  await expectStep(page, text.amountHeadingMonthly);
  await expectFocusOn(page, "sk-step-heading");
  await expectPositionRead(page, text.stepPosition(2, text.steps[1]));
  await visit("amount");
  await typeOtherAmount(page, text, "1");
  await next(page, text);
  await expectErrorSummary(page, text);
  await visit("amount-errors");
  await chooseAmount(page, await amountLabel(page, 3000, "GBP", text.locale));
  await next(page, text);

  await expectStep(page, text.detailsHeading);
  await expectFocusOn(page, "sk-step-heading");
  await expectPositionRead(page, text.stepPosition(3, text.steps[2]));
  await visit("details");
  await next(page, text);
  await expectErrorSummary(page, text);
  await visit("details-errors");
  await fillDetails(page, text, { givenName: "Mariam", familyName: "Touré", email: "mariam@example.org", country: "GB" });
  await page.getByRole("checkbox", { name: text.giftAid, exact: true }).check();
  await next(page, text);
  await expectErrorSummary(page, text);
  await visit("gift-aid-errors");
  await addGiftAid(page, text, { homeAddress: "4 Park Row, Leeds", postcode: "LS1 5HD" });
  await visit("gift-aid");
  await next(page, text);

  await expectStep(page, text.reviewHeading);
  await expectFocusOn(page, "sk-step-heading");
  await expectPositionRead(page, text.stepPosition(4, text.steps[3]));
  await visit("review");

  // The pledge is held on its way out until the sending state has been looked at.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/v1/pledges", async (route) => {
    await held;
    await route.continue();
  });
  await confirm(page, text);
  await page.locator("sanankoroba-widget .sk-status-sending").waitFor();
  await expectFocusOn(page, "sk-step-heading");
  await expectPositionRead(page, text.stepPosition(5, text.steps[4]));
  await visit("confirm");
  release();

  const reference = await expectThanks(page, text, "Mariam");
  await expectFocusOn(page, "sk-step-heading");
  // The focused heading says thank you; the live region does not say it again.
  await expectAnnounced(page, "");
  await visit("thanks");
  await page.unroute("**/v1/pledges");
  return reference;
}

describe("axe-core finds no WCAG 2.0, 2.1 or 2.2 A/AA violations", () => {
  for (const lang of ["en", "fr"]) {
    test(`at every step, in every error state and on the thank-you, in ${lang === "en" ? "English" : "French"}`, async () => {
      const text = TEXT[lang];
      const { page, context, problems } = await openWidget({ lang });
      const visited = [];
      await walkEveryState(page, text, async (state) => {
        visited.push(state);
        await expectNoViolations(page, `${lang} ${state}`);
      });
      assert.deepEqual(visited, STATES);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});

describe("the checks themselves", () => {
  test("axe, injected as here, sees inside the widget's shadow root", async () => {
    const { page, context } = await openWidget();
    await page.evaluate(() => {
      const root = document.querySelector("sanankoroba-widget").shadowRoot;
      for (const label of root.querySelectorAll("label[for=sk-option-child]")) label.remove();
    });
    await assert.rejects(expectNoViolations(page, "unlabelled radio"), /label[\s\S]*sk-option-child/);
    await context.close();
  });
});

describe("errors", () => {
  test("a step submitted empty shows a linked summary and plain messages tied to their fields", async () => {
    const text = TEXT.en;
    const { page, context, problems } = await openWidget();
    await chooseOption(page, text, "village");
    await next(page, text);
    await chooseAmount(page, await amountLabel(page, 2000, "GBP", "en"));
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    await next(page, text);
    await expectErrorSummary(page, text);

    const expected = {
      "sk-given-name": "Enter your given name.",
      "sk-family-name": "Enter your family name.",
      "sk-email": "Enter your email address.",
      "sk-country": "Choose your country.",
    };
    const summary = page.locator("sanankoroba-widget .sk-summary");
    const links = summary.getByRole("link");
    assert.deepEqual(await links.allInnerTexts(), Object.values(expected), "the summary lists each problem, in field order");
    for (const [id, message] of Object.entries(expected)) {
      const field = page.locator(`sanankoroba-widget #${id}`);
      assert.equal(await field.getAttribute("aria-invalid"), "true", `${id} is marked invalid`);
      const describedBy = (await field.getAttribute("aria-describedby")).split(/\s+/);
      assert.ok(describedBy.includes(`${id}-error`), `${id} is described by its message`);
      const inline = (await page.locator(`sanankoroba-widget #${id}-error`).textContent()).replace(/\s+/g, " ").trim();
      assert.equal(inline, `Error: ${message}`, `${id} has its message inline, heard with its prefix`);
    }
    // The screen reader hears the same message as the field's description.
    const description = await page.getByLabel(text.email, { exact: true }).evaluate((input) =>
      input.getAttribute("aria-describedby").split(/\s+/).map((id) => input.getRootNode().getElementById(id).textContent.trim()).join(" ")
    );
    assert.ok(description.endsWith("Enter your email address."), description);

    await links.filter({ hasText: expected["sk-email"] }).click();
    await expectFocusOn(page, "sk-email");
    await links.filter({ hasText: expected["sk-country"] }).click();
    await expectFocusOn(page, "sk-country");

    await fillDetails(page, text, { givenName: "Seydou", familyName: "Camara", email: "seydou@", country: "ML" });
    await next(page, text);
    await expectErrorSummary(page, text);
    assert.deepEqual(await links.allInnerTexts(), ["Enter an email address in the form name@example.com."]);
    assert.equal(await page.locator("sanankoroba-widget #sk-given-name").getAttribute("aria-invalid"), null, "a fixed field is no longer invalid");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a choice group submitted empty marks its radios and describes the group", async () => {
    const text = TEXT.fr;
    const { page, context } = await openWidget({ lang: "fr" });
    await next(page, text);
    await expectErrorSummary(page, text);
    const group = page.locator("sanankoroba-widget fieldset#sk-option");
    assert.equal(await group.getAttribute("aria-describedby"), "sk-option-error");
    assert.equal(
      (await page.locator("sanankoroba-widget #sk-option-error").textContent()).replace(/\s+/g, " ").trim(),
      "Erreur : Choisissez comment vous souhaitez aider."
    );
    for (const option of Object.values(text.options)) {
      assert.equal(await page.getByRole("radio", { name: option, exact: true }).getAttribute("aria-invalid"), "true");
    }
    await page.locator("sanankoroba-widget .sk-summary").getByRole("link").click();
    await expectFocusOn(page, "sk-option-child");
    await context.close();
  });
});

describe("structure", () => {
  test("choice groups are fieldsets with legends, and every control has a label", async () => {
    const text = TEXT.en;
    const { page, context } = await openWidget();
    const audits = [];
    const audit = async (state) => audits.push([state, await page.evaluate(auditStructure)]);
    await audit("choose");
    await chooseOption(page, text, "oneOff");
    await next(page, text);
    await expectStep(page, text.amountHeadingOnce);
    await audit("amount");
    await chooseAmount(page, await amountLabel(page, 2500, "GBP", "en"));
    await next(page, text);
    await expectStep(page, text.detailsHeading);
    await fillDetails(page, text, { country: "GB" });
    await addGiftAid(page, text, { homeAddress: "", postcode: "" });
    await audit("details with Gift Aid");
    for (const [state, { controls, problems }] of audits) {
      assert.ok(controls > 0, `${state} has controls`);
      assert.deepEqual(problems, [], state);
    }
    await context.close();
  });
});

/**
 * Runs in the page: every radio and checkbox sits in a fieldset with a legend, and every
 * control the donor can reach has a label with words in it.
 */
function auditStructure() {
  const root = document.querySelector("sanankoroba-widget").shadowRoot;
  const problems = [];
  let controls = 0;
  for (const control of root.querySelectorAll("input, select, textarea")) {
    if (control.closest("[aria-hidden=true]")) continue;
    controls++;
    const name = control.id || control.name;
    const label = [...control.labels].map((l) => l.textContent.trim()).join(" ");
    if (!label) problems.push(`${name} has no label`);
    if (control.type === "radio" || control.type === "checkbox") {
      const legend = control.closest("fieldset")?.querySelector(":scope > legend")?.textContent.trim();
      if (!legend) problems.push(`${name} is not in a fieldset with a legend`);
    }
  }
  return { controls, problems };
}

describe("layout at a narrow and a wide container", () => {
  for (const width of [320, 960]) {
    for (const lang of ["en", "fr"]) {
      test(`at ${width} px in ${lang === "en" ? "English" : "French"}: a screenshot of every state, nothing wider than the widget`, async () => {
        const { page, context, problems } = await openWidget({ lang, width });
        const overflowing = [];
        await walkEveryState(page, TEXT[lang], async (state) => {
          // Before the donor starts, the form sits below the story inside the reserved frame:
          // show it as the donor sees it once scrolled to.
          if (state === "choose") await page.locator("sanankoroba-widget #sk-step-heading").scrollIntoViewIfNeeded();
          const name = lang === "en" ? `flow-${state}-${width}.png` : `flow-${state}-${width}-${lang}.png`;
          await page.locator("sanankoroba-widget").screenshot({ path: artifactPath(name), animations: "disabled" });
          for (const offender of await page.evaluate(overflowingElements)) overflowing.push(`${state}: ${offender}`);
          if (state === "choose") overflowing.push(...(await page.evaluate(mapLabelsOutsideInset)));
          if (state === "thanks" && (await page.evaluate(referenceLines)) !== 1) overflowing.push("thanks: the pledge reference is broken across lines");
        });
        const frameWidth = await page.locator("sanankoroba-widget .sk-frame").evaluate((frame) => frame.getBoundingClientRect().width);
        assert.equal(Math.round(frameWidth), width, "the widget fills the partner's column");
        assert.deepEqual(overflowing, []);
        assert.deepEqual(problems, []);
        await context.close();
      });
    }

    test(`at ${width} px: every target is at least 24 by 24 px and keyboard focus is always visible`, async () => {
      const { page, context } = await openWidget({ width });
      const failures = [];
      let targets = 0;
      await walkEveryState(page, TEXT.en, async (state) => {
        const measured = await page.evaluate(targetSizes);
        targets += measured.length;
        for (const { target, width, height, inline } of measured) {
          if (!inline && (width < 24 || height < 24)) failures.push(`${state}: ${target} is ${width}×${height}`);
        }
        for (const ring of await tabThroughWidget(page)) {
          if (!ring.visible) failures.push(`${state}: no visible focus ring on ${ring.target} (${ring.outline})`);
        }
      });
      assert.ok(targets > STATES.length, "targets were measured");
      assert.deepEqual(failures, []);
      await context.close();
    });
  }
});

/**
 * Runs in the page: what inside the widget sticks out sideways beyond its frame, other than
 * the visually hidden texts meant for screen readers and the honeypot no one sees.
 */
function overflowingElements() {
  const root = document.querySelector("sanankoroba-widget").shadowRoot;
  const frame = root.querySelector(".sk-frame").getBoundingClientRect();
  const offenders = [];
  for (const element of root.querySelectorAll(".sk-frame *")) {
    if (element.closest(".sk-visually-hidden, .sk-hp, details:not([open]) > :not(summary)")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) {
      offenders.push(`${element.tagName.toLowerCase()}.${[...element.classList].join(".")} spans ${Math.round(box.left)}–${Math.round(box.right)} in a frame of ${Math.round(frame.left)}–${Math.round(frame.right)}`);
    }
  }
  const box = root.querySelector(".sk-frame");
  if (box.scrollWidth > box.clientWidth) offenders.push(`the content is ${box.scrollWidth}px wide in ${box.clientWidth}px`);
  return offenders;
}

/** Runs in the page: on how many lines the thank-you shows the pledge reference. */
function referenceLines() {
  const paragraph = document.querySelector("sanankoroba-widget").shadowRoot.querySelector(".sk-reference");
  const reference = /SK-[A-Z0-9-]+/.exec(paragraph.textContent)[0];
  const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let offset = 0;
  const start = paragraph.textContent.indexOf(reference);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.textContent.length;
    if (start >= offset && start < offset + length) range.setStart(node, start - offset);
    if (start + reference.length <= offset + length) {
      range.setEnd(node, start + reference.length - offset);
      break;
    }
    offset += length;
  }
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}

/** Runs in the page: the map's place names that do not fit inside the inset drawn for them. */
function mapLabelsOutsideInset() {
  const map = document.querySelector("sanankoroba-widget").shadowRoot.querySelector(".sk-map");
  const inset = map.querySelector(".sk-map-inset").getBBox();
  return [...map.querySelectorAll(".sk-map-label")]
    .filter((label) => {
      const box = label.getBBox();
      return box.x < inset.x || box.x + box.width > inset.x + inset.width || box.y < inset.y || box.y + box.height > inset.y + inset.height;
    })
    .map((label) => `the map label "${label.textContent}" spills out of its inset`);
}

/**
 * Runs in the page: the size of everything the donor can click, tap or tab to. A link that
 * sits in a line of text is flagged `inline`: WCAG 2.5.8 exempts it from the minimum size.
 */
function targetSizes() {
  const root = document.querySelector("sanankoroba-widget").shadowRoot;
  const selector = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  return [...root.querySelectorAll(selector)]
    .filter((element) => !element.closest("[aria-hidden=true]") && element.getClientRects().length > 0)
    .map((element) => {
      const box = element.getBoundingClientRect();
      return {
        target: `${element.tagName.toLowerCase()}#${element.id || [...element.classList].join(".")} "${(element.textContent || element.labels?.[0]?.textContent || "").trim().slice(0, 40)}"`,
        width: Math.round(box.width * 10) / 10,
        height: Math.round(box.height * 10) / 10,
        inline: element.tagName === "A" && getComputedStyle(element).display === "inline",
      };
    });
}

/**
 * Tabs from the step's heading through every control in the widget, and reads the focus ring
 * of each: the outline of the control or, for the suggested amounts whose radio is invisible
 * over its label, of that label. Visible means a solid ring at least 2 px wide whose colour
 * stands out 3:1 against white, as WCAG 1.4.11 asks of focus indicators.
 */
async function tabThroughWidget(page) {
  await page.locator("sanankoroba-widget #sk-step-heading").focus();
  const rings = [];
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(() => {
      const host = document.querySelector("sanankoroba-widget");
      if (document.activeElement !== host) return null;
      const element = host.shadowRoot.activeElement;
      const drawn = getComputedStyle(element).opacity === "0" ? element.nextElementSibling : element;
      const style = getComputedStyle(drawn);
      const channels = style.outlineColor.match(/[\d.]+/g).map(Number);
      const luminance = (value) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      const relative = 0.2126 * luminance(channels[0]) + 0.7152 * luminance(channels[1]) + 0.0722 * luminance(channels[2]);
      const contrast = 1.05 / (relative + 0.05);
      const alpha = channels.length > 3 ? channels[3] : 1;
      return {
        target: `${element.tagName.toLowerCase()}#${element.id || element.className}`,
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
        visible: element.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 && alpha === 1 && contrast >= 3,
      };
    });
    if (!ring) break;
    rings.push(ring);
  }
  return rings;
}

describe("motion", () => {
  test("with prefers-reduced-motion, nothing in the widget transitions or animates", async () => {
    const animatedByDefault = new Set();
    {
      const { page, context } = await openWidget();
      await walkEveryState(page, TEXT.en, async (state) => {
        for (const element of await page.evaluate(animatedElements)) animatedByDefault.add(element);
      });
      await context.close();
    }
    const { page, context, problems } = await openWidget({ reducedMotion: "reduce" });
    const stillAnimated = [];
    await walkEveryState(page, TEXT.en, async (state) => {
      for (const element of await page.evaluate(animatedElements)) stillAnimated.push(`${state}: ${element}`);
    });
    assert.deepEqual(stillAnimated, [], `animated without the preference: ${[...animatedByDefault].join(", ") || "nothing"}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

/** Runs in the page: every element of the widget, or pseudo-element, with a transition or animation that takes time. */
function animatedElements() {
  const root = document.querySelector("sanankoroba-widget").shadowRoot;
  const seconds = (list) => list.split(",").map((time) => parseFloat(time) * (time.trim().endsWith("ms") ? 0.001 : 1));
  const found = [];
  for (const element of root.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(element, pseudo);
      const transition = seconds(style.transitionDuration).some((time) => time > 0) && style.transitionProperty !== "none";
      const animation = seconds(style.animationDuration).some((time) => time > 0) && style.animationName !== "none";
      if (transition || animation) found.push(`${element.tagName.toLowerCase()}.${[...element.classList].join(".")}${pseudo ?? ""}`);
    }
  }
  return found;
}
