// The donor's first view, end to end: at every container width from 280 px, the question and its
// options are in view inside the height the page reserved, nothing scrolls inside the widget,
// and while the widget loads a placeholder holds its place without a shift.

import { bundleFile } from "./support/paths.mjs";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, stopStack } from "./support/stack.mjs";
import { artifactPath, openPage } from "./support/browser.mjs";
import { RESERVE_CSS, plainPage } from "./support/pages.mjs";
import { TEXT } from "./support/donor.mjs";
import { cumulativeLayoutShift, recordLayoutShifts, waitForWidget } from "./support/widget.mjs";
import { expectNoViolations } from "./support/axe.mjs";

let browser, host, receiver;

before(async () => {
  ({ browser, host, receiver } = await startStack());
});

after(() => stopStack({ browser, host, receiver }));

/** The widths the issue names, and enough in between to catch a layout that breaks there. */
const WIDTHS = [280, 300, 320, 340, 360, 400, 480, 560, 640, 720, 800, 880, 960];
const SCREENSHOTS = [280, 320, 360, 960];
const RESERVED = 640;

/**
 * A partner page in `lang` whose only column is `width` pixels wide, with the README's reserve
 * rule. The widget gets `lang` too unless `widgetLang` says otherwise (`null`: no attribute).
 */
function columnPage(width, lang, { widgetLang = lang, after = "" } = {}) {
  return plainPage({
    title: "Partner page",
    htmlAttributes: `lang="${lang}"`,
    head: `${RESERVE_CSS}<style>body{margin:0} main{max-width:${width}px;margin:0}</style>`,
    loaderUrl: host.loaderUrl,
    endpoint: host.endpoint,
    lang: widgetLang ?? undefined,
    after,
  });
}

/**
 * Runs in the page: where the question, each option and the Next button sit relative to the
 * widget's box, and which elements in the widget are scroll containers.
 */
function firstView() {
  const widget = document.querySelector("sanankoroba-widget");
  const root = widget.shadowRoot;
  const box = widget.getBoundingClientRect();
  const inside = (element) => {
    const rect = element.getBoundingClientRect();
    return rect.height > 0 && rect.top >= box.top && rect.bottom <= box.bottom;
  };
  const scrollers = [...root.querySelectorAll(".sk-frame, .sk-frame *")]
    .filter((element) => {
      const style = getComputedStyle(element);
      return ["auto", "scroll", "hidden"].includes(style.overflowX) || ["auto", "scroll", "hidden"].includes(style.overflowY);
    })
    .map((element) => `${element.localName}.${[...element.classList].join(".")}`);
  const intro = root.querySelector(".sk-intro").getBoundingClientRect();
  const flow = root.querySelector(".sk-flow").getBoundingClientRect();
  return {
    height: box.height,
    question: inside(root.querySelector("#sk-step-heading")),
    options: [...root.querySelectorAll(".sk-choice-label")].map(inside),
    next: inside(root.querySelector(".sk-actions button")),
    lead: inside(root.querySelector(".sk-lead")),
    storyControl: inside(root.querySelector(".sk-story-summary")),
    scrollers,
    sideBySide: flow.left >= intro.right,
  };
}

describe("the first view", () => {
  for (const lang of ["en", "fr"]) {
    test(`in ${lang === "en" ? "English" : "French"}, the question and every option are in view within the reserved height at every width from 280 px`, async () => {
      const { context, page, problems } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
      try {
        for (const width of WIDTHS) {
          const url = host.page(`/column-${width}-${lang}.html`, columnPage(width, lang));
          await page.goto(url);
          await waitForWidget(page);
          const view = await page.evaluate(firstView);
          const at = `${width} px, ${lang}`;
          assert.equal(view.height, RESERVED, `${at}: the widget keeps the reserved height`);
          assert.ok(view.question, `${at}: the question is in view`);
          assert.deepEqual(view.options, [true, true, true], `${at}: every option is in view`);
          assert.ok(view.next && view.lead && view.storyControl, `${at}: the lead, the story's control and Next too`);
          assert.deepEqual(view.scrollers, [], `${at}: nothing in the widget scrolls`);
          // From 44em (704 px) the story and the flow sit side by side.
          assert.equal(view.sideBySide, width >= 720, `${at}: side by side only where there is room`);
          if (SCREENSHOTS.includes(width)) {
            await page.locator("sanankoroba-widget").screenshot({ path: artifactPath(`first-view-${width}-${lang}.png`) });
          }
        }
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test("choosing an option in a narrow column shows its sentence, and the widget grows without a counted shift", async () => {
    const { context, page } = await openPage(browser, { viewport: { width: 360, height: 740 } });
    try {
      await recordLayoutShifts(page);
      await page.goto(host.page("/column-narrow.html", columnPage(280, "en", { after: "<p>Text below the widget.</p>" })));
      await waitForWidget(page);
      const hint = page.locator("sanankoroba-widget #sk-option-child-hint");
      const hidden = await hint.evaluate((element) => element.getBoundingClientRect().height);
      assert.ok(hidden <= 1, "the sentence waits out of sight");
      assert.equal(
        await page.getByRole("radio", { name: TEXT.en.options.child }).getAttribute("aria-describedby"),
        "sk-option-child-hint",
        "and is still read out with its option"
      );
      await expectNoViolations(page, "narrow first view");
      await page.getByRole("radio", { name: TEXT.en.options.child }).check();
      const shown = await hint.evaluate((element) => element.getBoundingClientRect().height);
      assert.ok(shown > 20, `the chosen option's sentence shows (${shown} px)`);
      // The whole story, opened from the keyboard.
      await page.locator("sanankoroba-widget .sk-story-summary").focus();
      await page.keyboard.press("Enter");
      assert.equal(await page.locator("sanankoroba-widget details.sk-story").getAttribute("open"), "");
      await expectNoViolations(page, "story opened");
      await page.waitForTimeout(600);
      assert.equal(await cumulativeLayoutShift(page), 0, "growth that follows the donor's input is no layout shift");
    } finally {
      await context.close();
    }
  });
});

describe("while the widget loads", () => {
  test("a placeholder holds its place in the page's language, busy, and gives way to the widget without a shift", async () => {
    const { context, page, problems } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
    try {
      await recordLayoutShifts(page);
      // The wasm is held back until the test has looked at the placeholder.
      let release;
      const held = new Promise((resolve) => (release = resolve));
      await page.route(`**/${bundleFile("sanankoroba_widget_bg.wasm")}`, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(host.page("/placeholder-fr.html", columnPage(360, "fr", { widgetLang: null, after: "<p>Texte sous le formulaire.</p>" })));
      const placeholder = page.locator("sanankoroba-widget .sk-placeholder");
      await placeholder.waitFor();
      assert.equal(await placeholder.getAttribute("aria-busy"), "true");
      assert.equal(await placeholder.getAttribute("role"), "region");
      assert.equal(await placeholder.getAttribute("lang"), "fr", "the page's language");
      assert.match(await placeholder.textContent(), /^Parrainez un enfant à Sanankoroba/);
      const reserved = await page.locator("sanankoroba-widget").evaluate((element) => element.getBoundingClientRect().height);
      assert.equal(reserved, RESERVED);
      await page.locator("sanankoroba-widget").screenshot({ path: artifactPath("placeholder-360-fr.png") });
      const below = await page.getByText("Texte sous le formulaire.").evaluate((element) => element.getBoundingClientRect().top);
      await expectNoViolations(page, "placeholder");

      release();
      await waitForWidget(page);
      assert.equal(await placeholder.count(), 0, "the placeholder is gone");
      assert.equal(await page.locator("sanankoroba-widget").evaluate((element) => element.getBoundingClientRect().height), RESERVED);
      assert.equal(await page.getByText("Texte sous le formulaire.").evaluate((element) => element.getBoundingClientRect().top), below, "nothing below moved");
      await page.waitForTimeout(300);
      assert.equal(await cumulativeLayoutShift(page), 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("far below the fold nothing but the loader is fetched; with loading=\"eager\" the widget loads at once", async () => {
    for (const [eager, expected] of [[false, false], [true, true]]) {
      const { context, page, problems } = await openPage(browser, { viewport: { width: 1000, height: 800 } });
      try {
        const fetched = [];
        page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
        const url = host.page(
          `/far-below-${eager}.html`,
          plainPage({
            title: "Long partner page",
            head: `${RESERVE_CSS}<link rel="stylesheet" href="/long-page.css">`,
            before: '<div class="spacer">A long page.</div><div class="spacer">Longer still.</div>',
            loaderUrl: host.loaderUrl,
            endpoint: host.endpoint,
            extra: eager ? 'loading="eager"' : "",
          })
        );
        await page.goto(url, { waitUntil: "load" });
        if (eager) await page.locator("sanankoroba-widget .sk-frame").waitFor({ state: "attached" });
        else await page.waitForTimeout(1_000);
        assert.equal(fetched.includes(`/widget/${bundleFile("sanankoroba_widget_bg.wasm")}`), expected, eager ? "eager loads at once" : "lazy waits for the donor");
        assert.ok(fetched.includes("/widget/sanankoroba-widget.js"));
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  });
});
