// Layout belongs to the partner, isolation to the widget: the element obeys the host page's
// rules for its size, place, display, visibility and opacity, while none of the page's styles
// reach the widget's content.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./support/browser.mjs";
import { startStack, stopStack } from "./support/stack.mjs";
import { computedStyles, waitForWidget } from "./support/widget.mjs";

const PARTNER_CSS = `
  body { margin: 0; }
  main { width: 1000px; }
  #fixed { width: 400px; }
  #centred { max-width: 500px; margin: 24px auto; }
  @media (max-width: 800px) { #narrow-hidden { display: none; } }
  .grid { display: grid; grid-template-columns: 200px 1fr; }
  .grid #placed { grid-column: 2; grid-row: 1; }
  .flex { display: flex; }
  .flex > * { flex: 0 0 300px; }
  .flex #flexed { order: -1; flex: 0 0 600px; }
  .collapsed { visibility: hidden; }
  #faded { opacity: 0.5; }
  #styled { color: #f00; font: italic 40px/4 serif; letter-spacing: 6px; text-transform: uppercase; text-align: right; cursor: wait; }
`;

const ATTRIBUTES = (endpoint) => `endpoint="${endpoint}" partner="e2e-school" loading="eager"`;

function layoutPage(host) {
  const widget = (id, extra = "") => `<sanankoroba-widget id="${id}" ${ATTRIBUTES(host.endpoint)} ${extra}></sanankoroba-widget>`;
  return host.page(
    "/layout.html",
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Layout</title>
<style>${PARTNER_CSS}</style></head><body><main><h1>Layout</h1>
<script src="${host.loaderUrl}" async></script>
${widget("fixed")}
${widget("centred")}
${widget("narrow-hidden")}
${widget("hidden", "hidden")}
<div class="grid"><p id="beside">Beside</p>${widget("placed")}</div>
<div class="flex"><p id="first">First</p>${widget("flexed")}</div>
<div class="collapsed">${widget("in-collapsed-tab")}</div>
${widget("faded")}
${widget("styled")}
${widget("plain")}
</main></body></html>`
  );
}

describe("the host page's layout", () => {
  let stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stopStack(stack ?? {}));

  test("the element obeys width, margins, display, grid and flex placement, visibility, opacity and hidden", async () => {
    const { page, context, problems } = await openPage(stack.browser, { viewport: { width: 1000, height: 900 } });
    try {
      await page.goto(layoutPage(stack.host));
      for (const id of ["fixed", "centred", "placed", "flexed", "faded", "styled", "plain"]) await waitForWidget(page, `#${id}`);
      const boxes = await page.evaluate(() => {
        const box = (selector) => {
          const rect = document.querySelector(selector).getBoundingClientRect();
          return { x: rect.x, width: rect.width, height: rect.height };
        };
        return {
          fixed: box("#fixed"),
          centred: box("#centred"),
          placed: box("#placed"),
          flexed: box("#flexed"),
          first: box("#first"),
          narrowHidden: getComputedStyle(document.querySelector("#narrow-hidden")).display,
          hidden: box("#hidden"),
        };
      });
      assert.equal(boxes.fixed.width, 400, "width");
      assert.equal(boxes.centred.width, 500, "max-width");
      assert.equal(boxes.centred.x, 250, "margin: auto centres it");
      assert.equal(boxes.placed.x, 200, "grid-column places it");
      assert.equal(boxes.placed.width, 800);
      assert.equal(boxes.flexed.x, 0, "order puts it first");
      assert.equal(boxes.flexed.width, 600, "flex-basis sizes it");
      assert.equal(boxes.first.x, 600);
      assert.equal(boxes.narrowHidden, "block", "shown at 1000 px");
      assert.deepEqual([boxes.hidden.width, boxes.hidden.height], [0, 0], "hidden hides it");

      // A collapsed tab hides the widget's content, not only its box, and nothing in it can be clicked.
      const collapsed = await page.evaluate(() => {
        const host = document.querySelector("#in-collapsed-tab");
        const button = host.shadowRoot.querySelector("button");
        const rect = button.getBoundingClientRect();
        const hit = document.elementFromPoint(rect.x + rect.width / 2, rect.y + rect.height / 2);
        return { visibility: getComputedStyle(button).visibility, hitInside: hit === host };
      });
      assert.deepEqual(collapsed, { visibility: "hidden", hitInside: false });

      assert.equal(await page.locator("#faded").evaluate((element) => getComputedStyle(element).opacity), "0.5", "opacity");

      // The page's inherited styles on the element stop at the shadow tree's reset.
      const properties = ["color", "font-size", "font-style", "line-height", "letter-spacing", "text-transform", "text-align", "cursor", "font-family"];
      const selectors = [".sk-title", ".sk-lead", ".sk-choice-label", "button"];
      const styled = await computedStyles(page, selectors, properties, "#styled");
      const plain = await computedStyles(page, selectors, properties, "#plain");
      assert.deepEqual(Object.keys(plain), selectors, "every element compared is there");
      assert.deepEqual(styled, plain, "nothing set on the element reaches the widget's content");
      assert.equal(await page.locator("#styled").evaluate((element) => getComputedStyle(element).color), "rgb(255, 0, 0)", "the rule did apply to the element");

      await page.setViewportSize({ width: 700, height: 900 });
      assert.equal(await page.locator("#narrow-hidden").evaluate((element) => getComputedStyle(element).display), "none", "a media query hides it");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
