// The benchmark's arithmetic and attribution, checked without a browser:
// node --test tests/bench/

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { median, overlaps, spread } from "./spread.mjs";
import { CUSTOM_SECTIONS, BINDGEN, DATA, RUNTIME, STRUCTURE, bytesByGroup, groupOf, moduleOf, parseTwiggyCsv, scaleToShipped } from "./wasm-crates.mjs";
import { cumulativeLayoutShift, totalBlockingTime } from "./probe.mjs";
import { VARIANTS, partnerPage } from "./partner-page.mjs";
import { familyOf, sizeChart } from "./size-chart.mjs";
import { markdown, summarise } from "./report.mjs";

describe("spread", () => {
  test("the median of an odd and of an even number of runs", () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]));
  });

  test("runs that produced no figure are left out", () => {
    assert.deepEqual(spread([3, null, 1, undefined, 2]), { min: 1, median: 2, max: 3, runs: [3, 1, 2] });
    assert.equal(spread([null, null]), null);
  });

  test("ranges that touch overlap, ranges apart do not", () => {
    assert.ok(overlaps({ min: 1, max: 5 }, { min: 5, max: 9 }));
    assert.ok(overlaps({ min: 1, max: 9 }, { min: 3, max: 4 }));
    assert.ok(!overlaps({ min: 1, max: 4 }, { min: 5, max: 9 }));
  });
});

describe("page figures", () => {
  test("blocking time counts each long task beyond 50 ms, inside the window only", () => {
    const tasks = [
      { start: 100, duration: 120 },
      { start: 900, duration: 50 },
      { start: 4_990, duration: 80 },
      { start: 5_000, duration: 400 },
    ];
    assert.equal(totalBlockingTime(tasks, 5_000), 70 + 0 + 30);
  });

  test("layout shift leaves out shifts that followed input", () => {
    const shifts = [
      { value: 0.1, afterInput: false },
      { value: 0.5, afterInput: true },
      { value: 0.02, afterInput: false },
    ];
    assert.ok(Math.abs(cumulativeLayoutShift(shifts) - 0.12) < 1e-12);
    assert.equal(cumulativeLayoutShift([]), 0);
  });
});

describe("wasm bytes by crate", () => {
  test("functions count for the crate that defines them, methods for their type's crate", () => {
    assert.equal(groupOf("core[c5930c85a12de822]::num::flt2dec::strategy::dragon::format_shortest"), "core");
    assert.equal(groupOf("<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc"), "dlmalloc");
    assert.equal(groupOf("<serde_wasm_bindgen::de::Deserializer as serde_core::de::Deserializer>::deserialize_struct::h22c29edf2fa286bc"), "serde_wasm_bindgen");
    assert.equal(groupOf("tachys::view::iterators::<impl tachys::view::Render for alloc::vec::Vec<T>>::rebuild::hc264"), "tachys");
    assert.equal(groupOf("<&mut sanankoroba_widget::flow::Draft as core::fmt::Debug>::fmt"), "sanankoroba_widget");
    assert.equal(groupOf("<u32 as core::fmt::Display>::fmt::h1"), "core");
    assert.equal(groupOf("<char>::escape_debug_ext"), "core");
    assert.equal(groupOf("<[u8]>::starts_with"), "core");
  });

  test("what is not a crate's code has a group of its own", () => {
    assert.equal(groupOf('"function names" subsection'), CUSTOM_SECTIONS);
    assert.equal(groupOf("custom section 'producers'"), CUSTOM_SECTIONS);
    assert.equal(groupOf('data segment ".rodata"'), DATA);
    assert.equal(groupOf("type[9]: (i32) -> externref"), STRUCTURE);
    assert.equal(groupOf("code section headers"), STRUCTURE);
    assert.equal(groupOf('export "mount"'), STRUCTURE);
    assert.equal(groupOf("import ./sanankoroba_widget_bg.js::__wbg_new_0123"), BINDGEN);
    assert.equal(groupOf("F64 -> Externref externref shim"), BINDGEN);
    assert.equal(groupOf("__wbindgen_malloc"), BINDGEN);
    assert.equal(groupOf("__rustc[b7974e8690430dd9]::__rdl_realloc"), RUNTIME);
    assert.equal(groupOf("memcmp"), RUNTIME);
  });

  test("modules are the crate's first module, when the path names one", () => {
    assert.equal(moduleOf("core[c5930c85a12de822]::num::flt2dec::format_shortest"), "core::num");
    assert.equal(moduleOf("<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop"), "alloc::vec");
    assert.equal(moduleOf("sanankoroba_widget::Widget::mount"), "sanankoroba_widget");
    assert.equal(moduleOf('data segment ".rodata"'), DATA);
  });

  test("twiggy's CSV is read with its quoting", () => {
    const csv = [
      "Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent",
      '"""function names"" subsection",700,70,,',
      '"hashbrown::raw::RawTable<T,A>::reserve_rehash::h9e",200,20,,',
      "core::str::from_utf8,100,10,,",
      "",
    ].join("\n");
    assert.deepEqual(parseTwiggyCsv(csv), [
      { name: '"function names" subsection', bytes: 700 },
      { name: "hashbrown::raw::RawTable<T,A>::reserve_rehash::h9e", bytes: 200 },
      { name: "core::str::from_utf8", bytes: 100 },
    ]);
    assert.deepEqual(bytesByGroup(csv), [
      { group: CUSTOM_SECTIONS, bytes: 700 },
      { group: "hashbrown", bytes: 200 },
      { group: "core", bytes: 100 },
    ]);
    assert.throws(() => parseTwiggyCsv("Item,Size\nx,1"), /header/);
  });

  test("shares leave out the custom sections the shipped wasm does not have", () => {
    const scaled = scaleToShipped(
      [
        { group: CUSTOM_SECTIONS, bytes: 700 },
        { group: "hashbrown", bytes: 300 },
        { group: "core", bytes: 100 },
      ],
      1_000
    );
    assert.deepEqual(scaled, [
      { group: "hashbrown", bytes: 300, share: 0.75, shippedBytes: 750 },
      { group: "core", bytes: 100, share: 0.25, shippedBytes: 250 },
    ]);
  });
});

describe("the size chart", () => {
  const sizes = {
    files: [
      { name: "sanankoroba-widget.js", raw: 2_400, gzip: 1_200, brotli: 1_000 },
      { name: "sanankoroba_widget_bg.wasm", raw: 400_000, gzip: 180_000, brotli: 150_000 },
    ],
    total: { raw: 402_400, gzip: 181_200, brotli: 151_000 },
    gzip_budget: 64_000,
  };
  const crates = scaleToShipped(
    Array.from({ length: 20 }, (_, index) => ({ group: index === 0 ? "sanankoroba_widget" : `crate_${index}`, bytes: 1_000 - index })),
    400_000
  );

  test("names every file and the budget, and sums the long tail into one line", () => {
    const svg = sizeChart({ sizes, shippedWasm: 400_000, crates, modules: crates });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const name of ["sanankoroba-widget.js", "sanankoroba_widget_bg.wasm", "all files", "gzip budget 64.0 kB", "sanankoroba_widget"]) {
      assert.ok(svg.includes(name), `the chart shows ${name}`);
    }
    assert.ok(svg.includes("and 4 other crates"), "the 4 smallest of 20 crates are summed");
    assert.ok(!svg.includes("crate_19<"), "the smallest crate has no bar of its own");
  });

  test("escapes names that look like markup", () => {
    const odd = scaleToShipped([{ group: "<impl Fn & co>", bytes: 1 }], 10);
    const svg = sizeChart({ sizes, shippedWasm: 10, crates: odd, modules: odd });
    assert.ok(svg.includes("&lt;impl Fn &amp; co&gt;"));
    assert.ok(!svg.includes("<impl Fn"));
  });

  test("colours the widget's own crates apart from the framework's", () => {
    assert.notEqual(familyOf("sanankoroba_widget").colour, familyOf("tachys").colour);
    assert.equal(familyOf("pledge::pledge"), familyOf("sanankoroba_widget"));
    assert.equal(familyOf("some_new_crate").name, "other crates");
  });
});

describe("the partner page", () => {
  const embed = { loaderUrl: "http://127.0.0.1:1/widget/sanankoroba-widget.js", endpoint: "http://127.0.0.1:1/v1/pledges" };
  const widgets = (html) => html.match(/<sanankoroba-widget /g)?.length ?? 0;

  test("A has no widget, the others one each, where their placement says", () => {
    assert.equal(widgets(partnerPage("A", embed)), 0);
    for (const variant of ["B", "C", "B0", "C0"]) assert.equal(widgets(partnerPage(variant, embed)), 1, variant);
    const below = partnerPage("B", embed);
    assert.ok(below.indexOf("<sanankoroba-widget ") > below.indexOf("Make a pledge"), "B's widget follows the articles");
    const first = partnerPage("C", embed);
    assert.ok(first.indexOf("<sanankoroba-widget ") < first.indexOf("Next race"), "C's widget heads the sidebar");
  });

  test("the reserve rule is on every page but the two that measure its absence", () => {
    for (const [variant, { reserve }] of Object.entries(VARIANTS)) {
      assert.equal(partnerPage(variant, embed).includes("/partner-reserve.css"), reserve, variant);
    }
    assert.equal(VARIANTS.B0.reserve, false);
    assert.equal(VARIANTS.A.reserve, true);
  });

  test("apart from the embed, B is A", () => {
    const snippet = /<script src="[^"]+" async><\/script>\n<sanankoroba-widget [^>]*><\/sanankoroba-widget>/;
    assert.equal(partnerPage("B", embed).replace(snippet, ""), partnerPage("A", embed));
    assert.equal(partnerPage("C", embed).replace(snippet, ""), partnerPage("A", embed));
  });
});

describe("the report", () => {
  const sizes = {
    files: [{ name: "sanankoroba-widget.js", raw: 2_500, gzip: 1_270, brotli: 1_090 }],
    total: { raw: 440_000, gzip: 179_000, brotli: 144_000 },
    gzip_budget: 64_000,
  };
  const windowFigures = (bytes, documentBytes, widget, tbtMs) => ({
    bytes,
    requests: 6 + widget.length,
    documentBytes,
    widgetRequests: widget,
    widgetBytes: widget.length ? 2_740 : 0,
    lcpMs: 700,
    lcpElement: "img",
    tbtMs,
    longTasks: [{ start: 500, duration: 50 + tbtMs }],
  });
  const seven = (make) => Array.from({ length: 7 }, (_, run) => make(run));
  const runs = {
    A: seven((run) => ({ ...windowFigures(25_754, 9_000, [], 90 + run), memory: { jsHeapBytes: 900_000 } })),
    B: seven((run) => ({
      ...windowFigures(25_754 + 2_740 + 223, 9_223, ["/widget/sanankoroba-widget.js"], 92 + run),
      readyMs: 300,
      clsAfterLoading: 0,
      loaded: { requests: 11, bytes: 470_000 },
    })),
    C: seven((run) => ({
      ...windowFigures(468_000, 9_223, ["/widget/sanankoroba-widget.js", "/widget/sanankoroba_widget_bg.wasm"], 230),
      readyMs: 500 + run,
      readyWithinWindow: true,
      clsAfterLoading: 0,
      clsThroughFlow: 0,
      keystrokes: [{ renderedMs: 30, handledMs: 12 }, { renderedMs: 34 + run, handledMs: 13 }],
      memory: { afterLoad: { jsHeapBytes: 1_770_000, wasmMemoryBytes: 1_179_648 }, afterPledge: { jsHeapBytes: 3_000_000, wasmMemoryBytes: 1_245_184, wasmMemories: 1 } },
    })),
    B0: seven(() => ({ clsAfterLoading: 0 })),
    C0: seven(() => ({ clsAfterLoading: 0.1358 })),
  };
  const environment = { chromium: "1", cpuSlowdown: 4, runs: 7, windowMs: 5_000, viewport: { width: 1280, height: 800 }, keystrokesPerRun: 2, seconds: 1, cores: 2, loadAverage: { before: 1, after: 1 } };

  test("B less the loader and the snippet is A, byte for byte", () => {
    const figures = summarise(runs, sizes);
    assert.equal(figures.bToA.bytes.difference, 2_740 + 223);
    assert.equal(figures.bToA.pageOwnBytes.difference, 0);
    assert.equal(figures.bToA.pageOwnBytes.ratio, 1);
    assert.ok(figures.bToA.tbtMs.withinSpread);
    assert.deepEqual(figures.widgetFilesBeforeInteraction.B, ["/widget/sanankoroba-widget.js"]);
  });

  test("memory adds the JS heap and the wasm memory; keystrokes take each run's median", () => {
    const figures = summarise(runs, sizes);
    assert.equal(figures.memory.totalAfterPledge.median, 3_000_000 + 1_245_184);
    // Each run typed 30 ms and 34 + run ms: its median is 32 + run / 2.
    assert.deepEqual(figures.keystrokeMs.rendered, { min: 32, median: 33.5, max: 35, runs: [32, 32.5, 33, 33.5, 34, 34.5, 35] });
    assert.deepEqual([figures.keystrokeMs.everyKeystroke.min, figures.keystrokeMs.everyKeystroke.max], [30, 40]);
  });

  test("the table gives every figure with its spread", () => {
    const table = markdown(summarise(runs, sizes), environment);
    assert.match(table, /\| total blocking time of long tasks, ms \| 93 \(90–96\) \| 95 \(92–98\) \| 230 \(every run\) \| 1\.022 \|/);
    assert.match(table, /\| Cumulative Layout Shift, without it \| – \| 0\.0000 \(every run\) \| 0\.1358 \(every run\) \| – \|/);
    assert.match(table, /Less those, B − A = 0 bytes, within the run-to-run spread of A\./);
  });

  test("the reader's wait is shown by network and margin, with the bytes before any scroll", () => {
    const reader = (wait, widgetFiles) => ({ waitMs: wait, loadMs: 1_200, bytesBeforeScroll: 28_000, widgetFilesBeforeScroll: widgetFiles, cls: 0 });
    const withReader = {
      ...runs,
      scroll: [
        { network: "slow4g", margin: "300px 0px", shipped: false, runs: seven((run) => reader(400 + run * 10, ["/widget/sanankoroba-widget.near-0.js"])) },
        { network: "slow4g", margin: "100% 0px", shipped: true, runs: seven(() => reader(0, ["/widget/sanankoroba-widget.near-1.js"])) },
      ],
      slowPageA: seven(() => ({ bytes: 25_754 })),
    };
    const figures = summarise(withReader, sizes);
    assert.deepEqual(figures.reader.map((row) => [row.margin, row.waitMs.median]), [["300px 0px", 430], ["100% 0px", 0]]);
    const table = markdown(figures, { ...environment, readingPxPerS: 240, shippedMargin: "100% 0px" });
    assert.match(table, /\| Slow 4G \(1\.6 Mbps down, 150 ms round trips\) \| `100% 0px` \(shipped\) \| 0\.0 \(every run\) \| 1200 \(every run\) \| 28,000 \(every run\) \| `sanankoroba-widget\.near-1\.js` \| 0\.0000 \(every run\) \|/);
    assert.match(table, /Without the widget, the page is 25,754 \(every run\) bytes on Slow 4G\./);
    assert.ok(!markdown(summarise(runs, sizes), environment).includes("reading their way"), "no section without the reader's runs");
    const withFirstView = { ...runs, firstView: [{ lang: "fr", width: 280, boxHeight: 640, questionBottom: 318, firstOptionBottom: 392, everyOptionInside: true }] };
    assert.match(markdown(summarise(withFirstView, sizes), environment), /\| fr \| 280 \| 640 \| 318 \| 392 \| yes \|/);
  });
});
