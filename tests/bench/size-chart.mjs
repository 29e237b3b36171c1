// `cargo xtask bench`: a picture of where the widget's bytes are, so that the next size reduction
// is obvious. Reads dist/size-report.json and a wasm built with its function names kept (the
// path is the first argument), runs twiggy on it, and writes target/bench/size.svg and
// target/bench/size.json.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BINDGEN, DATA, RUNTIME, STRUCTURE, bytesByGroup, moduleOf, scaleToShipped } from "./wasm-crates.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT_DIR = join(ROOT, "target/bench");
const WASM_FILE = "sanankoroba_widget_bg.wasm";
/** Bars per wasm panel; the rest are summed into one. */
const SHOWN = 16;

/** Crate families, so that the widget's own code, its framework and the rest read apart. */
const FAMILIES = [
  { name: "the widget's own code", colour: "#1b7f5a", crates: ["sanankoroba_widget", "pledge"] },
  {
    name: "Leptos",
    colour: "#3867b5",
    crates: ["leptos", "leptos_dom", "tachys", "reactive_graph", "any_spawner", "throw_error", "guardian", "slotmap", "send_wrapper", "or_poisoned", "oco_ref", "next_tuple", "either_of"],
  },
  { name: "Rust standard library", colour: "#c0622b", crates: ["core", "alloc", "std", "hashbrown", "dlmalloc", RUNTIME] },
  {
    name: "JavaScript bindings",
    colour: "#8a4fb0",
    crates: ["wasm_bindgen", "js_sys", "web_sys", BINDGEN, "wasm_bindgen_futures", "gloo_net", "gloo_utils", "wasm_streams", "serde_wasm_bindgen"],
  },
  { name: "data and module structure", colour: "#8c8c8c", crates: [DATA, STRUCTURE] },
];
const OTHER = { name: "other crates", colour: "#b5a33c" };

export function familyOf(group) {
  const crate = group.split("::")[0];
  return FAMILIES.find((family) => family.crates.includes(crate)) ?? OTHER;
}

function main() {
  const wasm = process.argv[2];
  if (!wasm) throw new Error("usage: node tests/bench/size-chart.mjs <wasm built with names, after wasm-bindgen>");
  const twiggy = spawnSync("twiggy", ["top", "-n", "1000000", "-f", "csv", wasm], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (twiggy.error) throw new Error(`twiggy could not run (${twiggy.error.message}): install it with \`cargo install twiggy\``);
  if (twiggy.status !== 0) throw new Error(`twiggy failed: ${twiggy.stderr}`);

  const sizes = JSON.parse(readFileSync(join(ROOT, "dist/size-report.json"), "utf8"));
  const shipped = sizes.files.find((file) => file.name === WASM_FILE);
  if (!shipped) throw new Error(`dist/size-report.json has no ${WASM_FILE}`);
  const crates = scaleToShipped(bytesByGroup(twiggy.stdout), shipped.raw);
  const modules = scaleToShipped(bytesByGroup(twiggy.stdout, moduleOf), shipped.raw);

  mkdirSync(OUT_DIR, { recursive: true });
  const svg = sizeChart({ sizes, shippedWasm: shipped.raw, crates, modules });
  writeFileSync(join(OUT_DIR, "size.svg"), svg);
  writeFileSync(join(OUT_DIR, "size.json"), JSON.stringify({ files: sizes.files, total: sizes.total, gzipBudget: sizes.gzip_budget, wasmByCrate: crates, wasmByModule: modules }, null, 2) + "\n");
  console.log(`The shipped wasm (${shipped.raw.toLocaleString("en-GB")} bytes) by crate, as shares of the pre-optimisation bytes:`);
  for (const { group, share, shippedBytes } of crates.slice(0, SHOWN)) {
    console.log(`  ${group.padEnd(30)} ${(share * 100).toFixed(1).padStart(5)} %  ~${shippedBytes.toLocaleString("en-GB").padStart(8)} bytes`);
  }
  console.error(`wrote ${join(OUT_DIR, "size.svg")} and ${join(OUT_DIR, "size.json")}`);
}

// ---- The picture ----------------------------------------------------------------------------

const WIDTH = 1100;
const LABEL = 250;
const BAR = WIDTH - LABEL - 260;
const ROW = 22;
const FONT = `font-family="DejaVu Sans, Verdana, sans-serif"`;

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n = (value) => value.toLocaleString("en-GB");
const kb = (value) => `${(value / 1000).toFixed(1)} kB`;

/** The whole chart: files as downloaded, then the wasm by crate and by module. */
export function sizeChart({ sizes, shippedWasm, crates, modules }) {
  const parts = [];
  let y = 0;
  const text = (x, yAt, content, attributes = "") => parts.push(`<text x="${x}" y="${yAt}" ${FONT} ${attributes}>${escape(content)}</text>`);

  y += 34;
  text(20, y, "Sanankoroba widget: where the bytes are", `font-size="20" font-weight="bold" fill="#222"`);
  y += 22;
  text(20, y, `A page that shows the widget downloads ${n(sizes.total.raw)} bytes as built, ${n(sizes.total.gzip)} with gzip, ${n(sizes.total.brotli)} with brotli. Budget: ${n(sizes.gzip_budget)} with gzip.`, `font-size="13" fill="#444"`);

  y = filesPanel(parts, text, y + 34, sizes);
  y = wasmPanel(parts, text, y + 34, `The wasm by crate: shares of the pre-optimisation bytes, applied to the shipped ${n(shippedWasm)} bytes`, crates, "other crates");
  y = wasmPanel(parts, text, y + 34, "The wasm by module: the same, one level finer", modules, "other modules");
  y = legend(parts, text, y + 26);
  y += 24;
  text(20, y, "Crates from twiggy on a build that keeps function names; generic code counts for the crate that defines it. wasm-opt shrinks crates unevenly, so crate figures are estimates.", `font-size="11" fill="#666"`);
  y += 20;

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" role="img" aria-label="Sanankoroba widget size breakdown">
<rect width="${WIDTH}" height="${y}" fill="#fff"/>
${parts.join("\n")}
</svg>
`;
}

function filesPanel(parts, text, y, sizes) {
  text(20, y, "Files a page downloads (dist/widget/)", `font-size="15" font-weight="bold" fill="#222"`);
  y += 12;
  const rows = [...sizes.files, { name: "all files", ...sizes.total }];
  const scale = BAR / Math.max(...rows.map((row) => row.raw), sizes.gzip_budget);
  const top = y;
  for (const row of rows) {
    y += ROW + 6;
    const isTotal = row.name === "all files";
    text(LABEL - 10, y + 12, row.name, `font-size="12" text-anchor="end" fill="#222"${isTotal ? ` font-weight="bold"` : ""}`);
    for (const [key, colour] of [["raw", "#d9dee3"], ["gzip", "#8fa3b8"], ["brotli", "#40566e"]]) {
      parts.push(`<rect x="${LABEL}" y="${y}" width="${Math.max(1, row[key] * scale).toFixed(1)}" height="${ROW - 4}" fill="${colour}"><title>${escape(`${row.name}: ${n(row[key])} bytes ${key}`)}</title></rect>`);
    }
    // Right of the budget line too, which would otherwise cross the small files' labels.
    const labelX = LABEL + Math.max(row.raw, sizes.gzip_budget) * scale + 8;
    text(labelX, y + 13, `${kb(row.raw)} · gzip ${kb(row.gzip)} · br ${kb(row.brotli)}`, `font-size="11" fill="#333"`);
  }
  // Over the bars, so that it shows how far the gzip bar of all files overshoots it.
  const budgetX = (LABEL + sizes.gzip_budget * scale).toFixed(1);
  parts.push(`<line x1="${budgetX}" y1="${top + 4}" x2="${budgetX}" y2="${y + ROW}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5 3"/>`);
  text(Number(budgetX) + 4, top + 12, `gzip budget ${kb(sizes.gzip_budget)}`, `font-size="11" fill="#c62828"`);
  y += ROW + 14;
  for (const [index, [key, colour]] of [["raw", "#d9dee3"], ["gzip", "#8fa3b8"], ["brotli", "#40566e"]].entries()) {
    const x = LABEL + index * 110;
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colour}"/>`);
    text(x + 18, y, key === "raw" ? "as built" : key, `font-size="11" fill="#333"`);
  }
  return y;
}

function wasmPanel(parts, text, y, title, groups, otherLabel) {
  text(20, y, title, `font-size="15" font-weight="bold" fill="#222"`);
  y += 8;
  const shown = groups.slice(0, SHOWN);
  const rest = groups.slice(SHOWN);
  const scale = BAR / Math.max(...shown.map((row) => row.shippedBytes));
  for (const row of shown) {
    y += ROW;
    const label = row.group === row.group.split("::")[0] && groups.some((other) => other.group.startsWith(`${row.group}::`)) ? `${row.group}, other paths` : row.group;
    text(LABEL - 10, y + 12, label, `font-size="12" text-anchor="end" fill="#222"`);
    parts.push(`<rect x="${LABEL}" y="${y}" width="${Math.max(1, row.shippedBytes * scale).toFixed(1)}" height="${ROW - 5}" fill="${familyOf(row.group).colour}"><title>${escape(`${label}: ${(row.share * 100).toFixed(1)} %, about ${n(row.shippedBytes)} bytes`)}</title></rect>`);
    text(LABEL + Math.max(1, row.shippedBytes * scale) + 8, y + 12, `${(row.share * 100).toFixed(1)} %  ~${kb(row.shippedBytes)}`, `font-size="11" fill="#333"`);
  }
  if (rest.length) {
    // Summed, the long tail would dwarf every bar above; it gets a line of text instead.
    const share = rest.reduce((sum, row) => sum + row.share, 0);
    const bytes = rest.reduce((sum, row) => sum + row.shippedBytes, 0);
    y += ROW;
    text(LABEL, y + 12, `and ${rest.length} ${otherLabel}, each at most ${(rest[0].share * 100).toFixed(1)} %: ${(share * 100).toFixed(1)} % together, ~${kb(bytes)}`, `font-size="12" fill="#555" font-style="italic"`);
  }
  return y + ROW;
}

function legend(parts, text, y) {
  let x = 20;
  for (const family of [...FAMILIES, OTHER]) {
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${family.colour}"/>`);
    text(x + 18, y, family.name, `font-size="11" fill="#333"`);
    x += 18 + family.name.length * 6.6 + 18;
  }
  return y;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
