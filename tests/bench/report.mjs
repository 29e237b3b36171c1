// From the runs to the figures the charity asked for, and the table that shows them.

import { median, overlaps, spread } from "./spread.mjs";

const PLACED = ["A", "B", "C"];

/** The figures, each as its spread over the runs, plus the comparisons of B with A. */
export function summarise(runs, sizes) {
  const each = (variants, pick) => Object.fromEntries(variants.map((variant) => [variant, spread(runs[variant].map(pick))]));
  const figures = {
    bytesBeforeInteraction: each(PLACED, (run) => run.bytes),
    requestsBeforeInteraction: each(PLACED, (run) => run.requests),
    documentBytes: each(PLACED, (run) => run.documentBytes),
    widgetBytesBeforeInteraction: each(PLACED, (run) => run.widgetBytes),
    // The page's own bytes: all but the widget's files and the lines of the embed snippet.
    pageOwnBytes: each(PLACED, (run) => run.bytes - run.widgetBytes - (run.documentBytes - median(runs.A.map((a) => a.documentBytes)))),
    widgetFilesBeforeInteraction: Object.fromEntries(PLACED.map((variant) => [variant, sameInEveryRun(runs[variant].map((run) => run.widgetRequests))])),
    lcpMs: each(PLACED, (run) => run.lcpMs),
    lcpElement: Object.fromEntries(PLACED.map((variant) => [variant, sameInEveryRun(runs[variant].map((run) => run.lcpElement))])),
    tbtMs: each(PLACED, (run) => run.tbtMs),
    longTasks: each(PLACED, (run) => run.longTasks.length),
    longestTaskMs: each(PLACED, (run) => Math.max(0, ...run.longTasks.map((task) => task.duration))),
    cls: each(["B", "C"], (run) => run.clsAfterLoading),
    clsWithoutReserve: { B: spread(runs.B0.map((run) => run.clsAfterLoading)), C: spread(runs.C0.map((run) => run.clsAfterLoading)) },
    clsThroughPledge: spread(runs.C.map((run) => run.clsThroughFlow)),
    readyMs: each(["B", "C"], (run) => run.readyMs),
    cReadyWithinWindow: runs.C.every((run) => run.readyWithinWindow),
    widgetLoadedBytes: spread(runs.B.map((run) => run.loaded.bytes - run.bytes)),
    widgetLoadedRequests: spread(runs.B.map((run) => run.loaded.requests - run.requests)),
    memory: {
      jsHeapWithoutWidget: spread(runs.A.map((run) => run.memory.jsHeapBytes)),
      jsHeapAfterLoad: spread(runs.C.map((run) => run.memory.afterLoad.jsHeapBytes)),
      wasmAfterLoad: spread(runs.C.map((run) => run.memory.afterLoad.wasmMemoryBytes)),
      jsHeapAfterPledge: spread(runs.C.map((run) => run.memory.afterPledge.jsHeapBytes)),
      wasmAfterPledge: spread(runs.C.map((run) => run.memory.afterPledge.wasmMemoryBytes)),
      totalAfterPledge: spread(runs.C.map((run) => run.memory.afterPledge.jsHeapBytes + run.memory.afterPledge.wasmMemoryBytes)),
      wasmMemories: sameInEveryRun(runs.C.map((run) => run.memory.afterPledge.wasmMemories)),
    },
    keystrokeMs: {
      // One figure per run (the median of its keystrokes), so the spread is between runs.
      rendered: spread(runs.C.map((run) => median(run.keystrokes.map((stroke) => stroke.renderedMs)))),
      handled: spread(runs.C.map((run) => median(run.keystrokes.map((stroke) => stroke.handledMs)))),
      everyKeystroke: spread(runs.C.flatMap((run) => run.keystrokes.map((stroke) => stroke.renderedMs))),
    },
  };
  figures.bToA = {
    bytes: compare(figures.bytesBeforeInteraction),
    pageOwnBytes: compare(figures.pageOwnBytes),
    requests: compare(figures.requestsBeforeInteraction),
    lcpMs: compare(figures.lcpMs),
    tbtMs: compare(figures.tbtMs),
  };
  figures.compressed = compressed(sizes);
  if (runs.scroll) {
    figures.reader = runs.scroll.map(({ network, margin, shipped, runs: scrolled }) => ({
      network,
      margin,
      shipped,
      waitMs: spread(scrolled.map((run) => run.waitMs)),
      loadMs: spread(scrolled.map((run) => run.loadMs)),
      bytesBeforeScroll: spread(scrolled.map((run) => run.bytesBeforeScroll)),
      widgetFilesBeforeScroll: sameInEveryRun(scrolled.map((run) => run.widgetFilesBeforeScroll)),
      cls: spread(scrolled.map((run) => run.cls)),
    }));
    figures.slowPageABytes = spread(runs.slowPageA.map((run) => run.bytes));
  }
  if (runs.firstView) figures.firstView = runs.firstView;
  return figures;
}

function compare({ A, B }) {
  return { ratio: A.median === 0 ? (B.median === 0 ? 1 : null) : B.median / A.median, difference: B.median - A.median, withinSpread: overlaps(A, B) };
}

/** What the widget's files would weigh if served precompressed, from dist/size-report.json. */
function compressed(sizes) {
  const loader = sizes.files.find((file) => file.name === "sanankoroba-widget.js");
  return { loader: pick(loader), all: pick(sizes.total), files: sizes.files.map((file) => ({ name: file.name, ...pick(file) })) };
}

const pick = ({ raw, gzip, brotli }) => ({ raw, gzip, brotli });

/** The value every run agrees on, or every run's value when they differ. */
function sameInEveryRun(values) {
  const distinct = [...new Set(values.map((value) => JSON.stringify(value)))];
  return distinct.length === 1 ? values[0] : { differsBetweenRuns: values };
}

export function markdown(figures, environment) {
  const f = figures;
  const bytes = (s) => figure(s, (v) => v.toLocaleString("en-GB"));
  const ms = (s) => figure(s, (v) => v.toFixed(v < 10 ? 1 : 0));
  const shift = (s) => figure(s, (v) => v.toFixed(4));
  const count = (s) => figure(s, (v) => String(v));
  const ratio = (c) => (c.ratio === null ? "–" : `${c.ratio.toFixed(3)}`);
  const files = (list) => (Array.isArray(list) ? (list.length ? list.map((path) => `\`${path.replace("/widget/", "")}\``).join(", ") : "none") : "differs between runs");
  const rows = [
    ["bytes transferred before any interaction", bytes(f.bytesBeforeInteraction.A), bytes(f.bytesBeforeInteraction.B), bytes(f.bytesBeforeInteraction.C), ratio(f.bToA.bytes)],
    ["the same, less the widget's files and the embed snippet", bytes(f.pageOwnBytes.A), bytes(f.pageOwnBytes.B), "–", ratio(f.bToA.pageOwnBytes)],
    ["requests before any interaction", count(f.requestsBeforeInteraction.A), count(f.requestsBeforeInteraction.B), count(f.requestsBeforeInteraction.C), ratio(f.bToA.requests)],
    ["widget files fetched before any interaction", files(f.widgetFilesBeforeInteraction.A), files(f.widgetFilesBeforeInteraction.B), files(f.widgetFilesBeforeInteraction.C), "–"],
    ["Largest Contentful Paint, ms", ms(f.lcpMs.A), ms(f.lcpMs.B), ms(f.lcpMs.C), ratio(f.bToA.lcpMs)],
    ["total blocking time of long tasks, ms", ms(f.tbtMs.A), ms(f.tbtMs.B), ms(f.tbtMs.C), ratio(f.bToA.tbtMs)],
    ["long tasks", count(f.longTasks.A), count(f.longTasks.B), count(f.longTasks.C), "–"],
    ["longest task, ms", ms(f.longestTaskMs.A), ms(f.longestTaskMs.B), ms(f.longestTaskMs.C), "–"],
    ["Cumulative Layout Shift, with the README's reserve rule", "–", shift(f.cls.B), shift(f.cls.C), "–"],
    ["Cumulative Layout Shift, without it", "–", shift(f.clsWithoutReserve.B), shift(f.clsWithoutReserve.C), "–"],
    ["widget visible → first step usable, ms", "–", `${ms(f.readyMs.B)} (after scrolling)`, ms(f.readyMs.C), "–"],
    ["JS heap after load, bytes", bytes(f.memory.jsHeapWithoutWidget), "–", bytes(f.memory.jsHeapAfterLoad), "–"],
    ["JS heap after one complete pledge, bytes", "–", "–", bytes(f.memory.jsHeapAfterPledge), "–"],
    ["wasm memory after one complete pledge, bytes", "–", "–", bytes(f.memory.wasmAfterPledge), "–"],
    ["JS heap + wasm memory after one complete pledge", "–", "–", bytes(f.memory.totalAfterPledge), "–"],
    ["keystroke in the amount field → next frame rendered, ms", "–", "–", ms(f.keystrokeMs.rendered), "–"],
  ];
  const loaderBytes = f.widgetBytesBeforeInteraction.B;
  const documentGrowth = f.documentBytes.B.median - f.documentBytes.A.median;
  const verdict = (c) => (c.withinSpread ? "within the run-to-run spread of A" : "outside the run-to-run spread of A");
  const c = f.compressed;
  const lines = [
    "# What the widget costs a partner page",
    "",
    `Chromium ${environment.chromium}, headless, CPU slowed down ${environment.cpuSlowdown}×, viewport ${environment.viewport.width}×${environment.viewport.height}, ` +
      `${environment.runs} runs of each page, each in a fresh browser context (cold cache). ` +
      `Bytes, requests, Largest Contentful Paint and long tasks are counted from navigation to ${environment.windowMs / 1000} s on the page's clock. ` +
      "Every figure is the median, with the smallest and largest run in brackets. " +
      `The machine has ${environment.cores} cores; its one-minute load average was ${environment.loadAverage.before.toFixed(1)} before the runs and ${environment.loadAverage.after.toFixed(1)} after, other work included.`,
    "",
    "| | A: no widget | B: widget below the fold | C: widget in the first viewport | B/A |",
    "|---|---|---|---|---|",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    "",
    ...firstViewSection(f),
    ...readerSection(f, environment, { bytes, ms, shift, files }),
    "## B against A",
    "",
    `- Bytes: B − A = ${f.bToA.bytes.difference.toLocaleString("en-GB")} bytes (median). The loader accounts for ${bytes(loaderBytes)} of them, headers included, ` +
      `and the embed snippet makes the page itself ${documentGrowth.toLocaleString("en-GB")} bytes longer. Less those, B − A = ${f.bToA.pageOwnBytes.difference.toLocaleString("en-GB")} bytes, ${verdict(f.bToA.pageOwnBytes)}.`,
    `- Requests: B − A = ${f.bToA.requests.difference}: the loader, and nothing else of the widget's until it nears the viewport.`,
    `- Total blocking time: B − A = ${f.bToA.tbtMs.difference.toFixed(0)} ms (median), ${verdict(f.bToA.tbtMs)}.`,
    `- Largest Contentful Paint: B − A = ${f.bToA.lcpMs.difference.toFixed(0)} ms (median), ${verdict(f.bToA.lcpMs)}.`,
    "",
    "## Notes",
    "",
    `- The page is a running club's page about its charity of the year (\`tests/bench/pages/\`): HTML, a stylesheet, a small script, a logo and two illustrations, ${count(f.requestsBeforeInteraction.A)} requests and ${bytes(f.bytesBeforeInteraction.A)} bytes without the widget. ` +
      "B puts the widget after the articles, more than a screen below the fold; C puts it at the top of the sidebar. All three link the README's reserve rule, as a partner following the README would.",
    `- The host serves the widget's files precompressed with brotli, as the receiver and a CDN do, and the page's own files as they are; the bytes above are what came over the wire, headers included. ` +
      `From \`dist/size-report.json\`: the loader is ${c.loader.brotli.toLocaleString("en-GB")} bytes with brotli (${c.loader.gzip.toLocaleString("en-GB")} with gzip, ${c.loader.raw.toLocaleString("en-GB")} raw), ` +
      `the whole widget ${c.all.brotli.toLocaleString("en-GB")} with brotli (${c.all.gzip.toLocaleString("en-GB")} with gzip, ${c.all.raw.toLocaleString("en-GB")} raw).`,
    `- Once B's widget nears the viewport it fetches ${count(f.widgetLoadedRequests)} more requests, ${bytes(f.widgetLoadedBytes)} bytes as served.`,
    `- Largest Contentful Paint element: ${describeElements(f.lcpElement)}.`,
    `- In C, the first step was usable within the ${environment.windowMs / 1000} s window in ${f.cReadyWithinWindow ? "every run" : "not every run, so some of its long tasks fall outside the window"}.`,
    `- Layout shift is the sum of every shift not caused by recent input, from navigation until the widget's first step is on screen. ` +
      `Through C's whole pledge afterwards it was ${shift(f.clsThroughPledge)} (shifts within 500 ms of a click or key are the donor's own doing and do not count).`,
    "- Visible → usable: from the moment an IntersectionObserver saw the widget element enter the viewport to the first frame in which the first option's radio button exists and is enabled.",
    `- Memory: after a full garbage collection, the page's JS heap in use (DevTools \`Runtime.getHeapUsage\`) plus the byte length of every WebAssembly.Memory in the page (${f.memory.wasmMemories} found through DevTools \`queryObjects\`). ` +
      `The wasm memory was ${bytes(f.memory.wasmAfterLoad)} bytes right after load.`,
    `- Keystrokes: ${environment.keystrokesPerRun} digits typed one at a time into the other-amount field in each run of C; the field is the amount the step displays. ` +
      `Timed from the key's event timestamp to the frame after the widget's input handler and its reactive updates ran: ${ms(f.keystrokeMs.rendered)} ms per run ` +
      `(medians of each run), ${ms(f.keystrokeMs.everyKeystroke)} over every keystroke; the handler itself was done after ${ms(f.keystrokeMs.handled)} ms.`,
    `- The whole benchmark took ${environment.seconds} s.`,
    "",
  ];
  return lines.join("\n");
}

/** Where the question and the first option sit in the first view, at each column width. */
function firstViewSection(f) {
  if (!f.firstView) return [];
  return [
    "## The first view at each column width",
    "",
    "The widget alone in a column of each width, with the README's reserve rule, before the donor does anything. Distances are from the top of the widget's box, in CSS pixels.",
    "",
    "| language | column, px | widget's box, px | the question ends at | the first option ends at | every option inside the box |",
    "|---|---|---|---|---|---|",
    ...f.firstView.map((row) => `| ${row.lang} | ${row.width} | ${row.boxHeight} | ${row.questionBottom} | ${row.firstOptionBottom} | ${row.everyOptionInside ? "yes" : "no"} |`),
    "",
  ];
}

/** The reader's table: the wait after the widget came into view, by network and margin. */
function readerSection(f, environment, { bytes, ms, shift, files }) {
  if (!f.reader) return [];
  const label = (network) => (network === "slow4g" ? "Slow 4G (1.6 Mbps down, 150 ms round trips)" : "loopback, unthrottled");
  return [
    "## A donor reading their way down to the widget",
    "",
    `Page B, scrolled from the top at ${environment.readingPxPerS} px a second until the widget's top reaches the middle of the viewport, CPU slowed down ${environment.cpuSlowdown}×. ` +
      `The loader starts fetching the widget when its element comes within the margin of the viewport; it ships with \`${environment.shippedMargin}\`, and the others were measured to choose it. ` +
      `The wait runs from the moment the widget came into view to the first frame in which its first option could be chosen, 0 when it was ready before. ` +
      "The load time runs from the loader asking for the widget's script to that frame: a margin keeps a reader from waiting while it is more than their speed times the load time. " +
      `Without the widget, the page is ${bytes(f.slowPageABytes)} bytes on Slow 4G.`,
    "",
    "| network | margin | wait after the widget came into view, ms | load time, ms | bytes before any scroll | widget files before any scroll | Cumulative Layout Shift |",
    "|---|---|---|---|---|---|---|",
    ...f.reader.map((row) =>
      `| ${label(row.network)} | \`${row.margin}\`${row.shipped ? " (shipped)" : ""} | ${ms(row.waitMs)} | ${ms(row.loadMs)} | ${bytes(row.bytesBeforeScroll)} | ${files(row.widgetFilesBeforeScroll)} | ${shift(row.cls)} |`
    ),
    "",
  ];
}

function figure(s, format) {
  if (!s) return "–";
  return s.min === s.max ? `${format(s.median)} (every run)` : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

function describeElements(byVariant) {
  return PLACED.map((variant) => {
    const element = byVariant[variant];
    return `${variant}: ${typeof element === "string" ? `\`${element}\`` : "differs between runs"}`;
  }).join(", ");
}
