// Reading the widget the way a test needs to: through its open shadow root.

/** Resolves when the widget inside `selector` has rendered its flow or its config error. */
export async function waitForWidget(page, selector = "sanankoroba-widget") {
  await page.locator(`${selector} .sk-frame, ${selector} [role=alert]`).first().waitFor({ state: "visible", timeout: 15_000 });
}

/** Computed styles of the first element matching each selector inside the widget's shadow root. */
export async function computedStyles(page, selectors, properties, host = "sanankoroba-widget") {
  return page.evaluate(
    ({ selectors, properties, host }) => {
      const root = document.querySelector(host).shadowRoot;
      const styles = {};
      for (const selector of selectors) {
        const element = root.querySelector(selector);
        if (!element) continue;
        const computed = getComputedStyle(element);
        styles[selector] = Object.fromEntries(properties.map((p) => [p, computed.getPropertyValue(p)]));
      }
      return styles;
    },
    { selectors, properties, host }
  );
}

/** Collects layout shifts not caused by recent input, from before the page's first paint. */
export function recordLayoutShifts(page) {
  return page.addInitScript(() => {
    window.__layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) window.__layoutShifts.push(entry.value);
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

export async function cumulativeLayoutShift(page) {
  return page.evaluate(() => window.__layoutShifts.reduce((sum, value) => sum + value, 0));
}
