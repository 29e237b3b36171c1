// Which crate each byte of the widget's wasm comes from, from `twiggy top -f csv` on a build that
// kept its function names.

/** The groups that are not crates. */
export const CUSTOM_SECTIONS = "custom sections";
export const DATA = "static data (texts, tables)";
export const BINDGEN = "wasm-bindgen glue";
export const STRUCTURE = "module structure";
export const RUNTIME = "exports and compiler helpers";

/**
 * The crate, or group, an item of `twiggy top` belongs to. A function counts for the crate that
 * defines it, even when it is generic code instantiated for another crate's types (so
 * `reactive_graph` includes the widget's closures that its generic functions were compiled for),
 * and a method counts for the crate of the type it is implemented on.
 */
export function groupOf(item) {
  if (/^"[^"]*" subsection$|^custom section /.test(item)) return CUSTOM_SECTIONS;
  if (/^data segment /.test(item)) return DATA;
  if (/^(type|table|memory|global|elem)\[\d+\]|section headers$|^wasm magic bytes$|^export "/.test(item)) return STRUCTURE;
  if (/externref shim$|^import |^__wbg_|^__wbindgen_|^__externref_|^intounderlying|^Closure\(/.test(item)) return BINDGEN;
  const name = item.replace(/\[[0-9a-f]{8,}\]/g, "");
  // Methods of primitive types are core's: `<char>::is_whitespace`, `<[u8]>::starts_with`.
  if (/^<(\[?(char|bool|str|[iuf](8|16|32|64|128|size))\]?)>::/.test(name)) return "core";
  // The allocator shims the compiler generates.
  if (name.startsWith("__rustc::")) return RUNTIME;
  // `<Type as Trait>::method`, `<Type>::method`, `<&mut Type as …>`: the type comes first.
  const selfType = name.replace(/^(<|&(mut )?|\*(const|mut) |dyn |\(|\[)+/, "");
  const leading = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(selfType);
  if (leading) return leading[1];
  // A primitive or tuple type (`<u32 as core::fmt::Display>`): the first crate named.
  const named = /([A-Za-z_][A-Za-z0-9_]*)::/.exec(name);
  if (named) return named[1];
  // What is left: the widget's exported entry points and memcpy-like helpers.
  return RUNTIME;
}

/**
 * A finer group: the crate and its first module (`core::num`, `tachys::html`), where the item's
 * path names one; otherwise the crate or group itself.
 */
export function moduleOf(item) {
  const group = groupOf(item);
  const path = item.replace(/\[[0-9a-f]{8,}\]/g, "").replace(/^(<|&(mut )?)+/, "");
  const module = /^([A-Za-z_][A-Za-z0-9_]*)::([a-z_][a-z0-9_]*)::/.exec(path);
  return module && module[1] === group ? `${module[1]}::${module[2]}` : group;
}

/** Bytes per crate or group (or per module, with `moduleOf`), largest first, from twiggy's CSV. */
export function bytesByGroup(csv, classify = groupOf) {
  const totals = new Map();
  for (const { name, bytes } of parseTwiggyCsv(csv)) {
    const group = classify(name);
    totals.set(group, (totals.get(group) ?? 0) + bytes);
  }
  return [...totals].map(([group, bytes]) => ({ group, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** `Name,ShallowSize,…` rows, with RFC 4180 quoting (twiggy quotes names with commas). */
export function parseTwiggyCsv(csv) {
  const rows = [];
  const lines = csv.split(/\r?\n/).filter((line) => line.length > 0);
  const header = splitCsvLine(lines[0]);
  const nameAt = header.indexOf("Name");
  const sizeAt = header.indexOf("ShallowSize");
  if (nameAt < 0 || sizeAt < 0) throw new Error(`unexpected twiggy CSV header: ${lines[0]}`);
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const bytes = Number(cells[sizeAt]);
    if (!Number.isFinite(bytes)) throw new Error(`unexpected twiggy CSV row: ${line}`);
    rows.push({ name: cells[nameAt], bytes });
  }
  return rows;
}

function splitCsvLine(line) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let at = 0; at < line.length; at++) {
    const char = line[at];
    if (quoted) {
      if (char === '"' && line[at + 1] === '"') {
        cell += '"';
        at++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

/**
 * The groups' shares of the bytes that reach the browser (custom sections are stripped from the
 * shipped wasm), applied to the size of the optimised wasm. wasm-opt shrinks some crates more
 * than others, so these are estimates: shares of the pre-optimisation bytes.
 */
export function scaleToShipped(groups, shippedBytes) {
  const counted = groups.filter(({ group }) => group !== CUSTOM_SECTIONS);
  const total = counted.reduce((sum, { bytes }) => sum + bytes, 0);
  return counted.map(({ group, bytes }) => ({ group, bytes, share: bytes / total, shippedBytes: Math.round((bytes / total) * shippedBytes) }));
}
