// What the benchmark records inside the page, with the page's own clock (performance.now()).
// Installed before any of the page's script runs; it keeps its records in `window.__bench` and
// touches nothing of the widget's.

/**
 * Installs the probe in every document `page` loads. `firstOption` is the accessible name of the
 * first step's first radio: once it is rendered and enabled, the donor can start.
 */
export function installProbe(page, firstOption) {
  return page.addInitScript(probe, { firstOption, widgetTag: "sanankoroba-widget" });
}

/** Runs in the page. */
function probe({ firstOption, widgetTag }) {
  const bench = {
    lcp: null,
    lcpElement: null,
    longTasks: [],
    shifts: [],
    // The widget element entering the viewport, and its first step becoming usable.
    visibleAt: null,
    readyAt: null,
    keystrokes: [],
  };
  window.__bench = bench;

  const describe = (element) => {
    if (!element) return "an element inside a shadow root";
    const id = element.id ? `#${element.id}` : "";
    const classes = [...element.classList].map((name) => `.${name}`).join("");
    return `${element.localName}${id}${classes}`;
  };
  const observers = [
    [
      "largest-contentful-paint",
      (entry) => {
        bench.lcp = entry.startTime;
        bench.lcpElement = describe(entry.element);
      },
    ],
    ["longtask", (entry) => bench.longTasks.push({ start: entry.startTime, duration: entry.duration })],
    [
      "layout-shift",
      (entry) =>
        bench.shifts.push({
          at: entry.startTime,
          value: entry.value,
          afterInput: entry.hadRecentInput,
          // What moved, so that a shift in the report can be traced to its element.
          moved: (entry.sources ?? []).map((source) => (source.node instanceof Element ? describe(source.node) : source.node?.nodeName ?? "?")),
        }),
    ],
  ].map(([type, record]) => {
    const observer = new PerformanceObserver((list) => list.getEntries().forEach(record));
    observer.observe({ type, buffered: true });
    return { observer, record };
  });
  // Observers deliver their entries some time after the fact; reading flushes them.
  bench.flush = () => {
    for (const { observer, record } of observers) observer.takeRecords().forEach(record);
    return bench;
  };

  const firstRadio = (host) =>
    [...(host.shadowRoot?.querySelectorAll("input[type=radio]") ?? [])].find(
      (radio) => radio.labels?.[0]?.textContent.trim() === firstOption
    );
  // When the first step became usable is watched from the moment the element arrives, and when
  // it came into view apart: a widget that was ready before the donor got there kept them
  // waiting for no time at all.
  const watchWidget = (host) => {
    const poll = () => {
      const radio = firstRadio(host);
      // Checked once a frame: the first frame in which the step is there is the one that shows it.
      if (radio && !radio.disabled) bench.readyAt = performance.now();
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
    const visibility = new IntersectionObserver((entries) => {
      const entry = entries.find((candidate) => candidate.isIntersecting);
      if (!entry || bench.visibleAt !== null) return;
      visibility.disconnect();
      bench.visibleAt = entry.time;
    });
    visibility.observe(host);
  };
  const arrivals = new MutationObserver(() => {
    const host = document.querySelector(widgetTag);
    if (!host) return;
    arrivals.disconnect();
    watchWidget(host);
  });
  arrivals.observe(document, { childList: true, subtree: true });

  // Keystroke latency: from the key's own timestamp to the frame after the widget has handled the
  // input that the key made. The widget's listener sits on its field, so by the time the event
  // bubbles out to the document it has run, and so have the reactive updates it queued as
  // microtasks. The frame's rendering is then done by the time a message posted from its
  // animation frame callback arrives.
  let pressed = null;
  window.addEventListener(
    "keydown",
    (event) => {
      const field = event.composedPath()[0];
      if (field instanceof HTMLInputElement && field.getRootNode() !== document) pressed = { at: event.timeStamp, key: event.key, field };
    },
    true
  );
  document.addEventListener("input", () => {
    if (!pressed) return;
    const { at, key, field } = pressed;
    pressed = null;
    const handled = performance.now();
    requestAnimationFrame(() => {
      const frame = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () =>
        bench.keystrokes.push({ key, handledMs: handled - at, frameMs: frame - at, renderedMs: performance.now() - at, value: field.value });
      channel.port2.postMessage(null);
    });
  });
}

/** Everything the probe has recorded so far. */
export function readProbe(page) {
  return page.evaluate(() => {
    const { flush, ...records } = window.__bench.flush();
    return JSON.parse(JSON.stringify(records));
  });
}

/** Resolves once the page's clock reads `ms`: the measurement window, the same for every page. */
export function untilPageTime(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - performance.now()))), ms);
}

/** Resolves once the widget is in view and its first step is usable. */
export function widgetReady(page, timeout) {
  return page.waitForFunction(() => window.__bench.readyAt !== null && window.__bench.visibleAt !== null, null, { polling: 50, timeout });
}

/** How long the donor waited: from the widget coming into view to its first step being usable. */
export function waitAfterVisible(probe) {
  return Math.max(0, probe.readyAt - probe.visibleAt);
}

/**
 * Runs in the page: scrolls from the top at `pxPerSecond`, on the page's clock, until the
 * widget element's top reaches the middle of the viewport, as a donor reading their way down
 * the page would.
 */
export function scrollToWidgetAtReadingSpeed(page, pxPerSecond) {
  return page.evaluate(
    (pxPerSecond) =>
      new Promise((resolve) => {
        const widget = document.querySelector("sanankoroba-widget");
        const target = widget.getBoundingClientRect().top + window.scrollY - innerHeight / 2;
        window.scrollTo(0, 0);
        const start = performance.now();
        const step = () => {
          const y = Math.min(target, ((performance.now() - start) / 1000) * pxPerSecond);
          window.scrollTo(0, y);
          if (y < target) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      }),
    pxPerSecond
  );
}

/** Sum of each long task's time beyond 50 ms, for tasks that started inside the window. */
export function totalBlockingTime(longTasks, windowMs) {
  return longTasks.filter((task) => task.start < windowMs).reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0);
}

/** Cumulative Layout Shift as the sum of every shift not caused by recent input. */
export function cumulativeLayoutShift(shifts) {
  return shifts.filter((shift) => !shift.afterInput).reduce((sum, shift) => sum + shift.value, 0);
}

/** Resolves once the page has rendered two more frames: what was just changed is on screen. */
export function twoFrames(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
