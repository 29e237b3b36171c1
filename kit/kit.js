// The partner kit: settings on the left, the real widget previewing them, and the code to paste.
//
// Settings are checked by the widget itself, not by a copy of its rules here: every change is
// handed to the preview, whose `sanankoroba:error` event names each refused attribute with the
// message the widget would show, and the kit puts that message under the setting. Only the
// accent colour's contrast is the kit's own check, since the widget takes colours as CSS.
// Everything on the page is built with DOM calls, never from HTML strings.

const WIDGET_FOLDER = new URL("../widget/", import.meta.url);
const DEFAULT_ENDPOINT = new URL("/v1/pledges", location.origin).href;
const DEFAULT_ACCENT = "#0b5cad";
const DEFAULT_RADIUS_PX = 8;
const DEFAULT_HEIGHT_PX = 640;
/** WCAG 2.2's minimum for text against its background (1.4.3). */
const MINIMUM_CONTRAST = 4.5;

const byId = (id) => document.getElementById(id);
const inputs = {
  endpoint: byId("endpoint"),
  partner: byId("partner"),
  lang: byId("lang"),
  currency: byId("currency"),
  privacyUrl: byId("privacy-url"),
  continueUrl: byId("continue-url"),
  accent: byId("accent"),
  font: byId("font"),
  radius: byId("radius"),
  height: byId("height"),
};
const presetInputs = [...document.querySelectorAll("[data-option]")];
inputs.endpoint.value = DEFAULT_ENDPOINT;

/** The widget's attributes for the settings as they stand; empty ones are left out. */
function attributes() {
  const presets = presetInputs
    .filter((input) => input.value.trim())
    .map((input) => `${input.dataset.option}:${input.value.trim()}`)
    .join("; ");
  return {
    endpoint: inputs.endpoint.value.trim(),
    partner: inputs.partner.value.trim(),
    lang: inputs.lang.value,
    currency: inputs.currency.value,
    presets,
    "privacy-url": inputs.privacyUrl.value.trim(),
    "continue-url": inputs.continueUrl.value.trim(),
  };
}

/** The custom properties that theme the widget, with the reserve rule's height. */
function theme() {
  const radius = Number(inputs.radius.value);
  const height = Number(inputs.height.value);
  const font = inputs.font.value.trim();
  return {
    "--sanankoroba-accent": inputs.accent.value,
    ...(font ? { "--sanankoroba-font": font } : {}),
    "--sanankoroba-radius": `${Number.isFinite(radius) && radius >= 0 ? radius : DEFAULT_RADIUS_PX}px`,
    "--sanankoroba-block-size": `${Number.isFinite(height) && height > 0 ? height : DEFAULT_HEIGHT_PX}px`,
  };
}

// ---- Problems, shown under the setting they concern.

const problems = new Map();

function showProblem(attribute, message) {
  const field = document.querySelector(`.kit-field[data-attribute="${attribute}"]`);
  if (!field) return;
  let error = field.querySelector(".kit-error");
  if (!error) {
    error = document.createElement("p");
    error.className = "kit-error";
    error.id = `${attribute}-error`;
    field.append(error);
  }
  error.textContent = message;
  for (const control of field.querySelectorAll("input, select")) {
    control.setAttribute("aria-invalid", "true");
    const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    if (!described.includes(error.id)) control.setAttribute("aria-describedby", [...described, error.id].join(" "));
  }
  problems.set(attribute, message);
  warnAboutCode();
}

/** Code with a refused setting would show the widget's error on the partner's page: say so. */
function warnAboutCode() {
  const refused = [...problems.keys()].filter((attribute) => attribute !== "accent").length;
  const warning = byId("code-warning");
  warning.hidden = refused === 0;
  warning.textContent =
    refused === 0 ? "" : `The widget refuses ${refused === 1 ? "a setting" : `${refused} settings`} above: until ${refused === 1 ? "it is" : "they are"} fixed, this code shows that error on your page instead of the form.`;
}

/** Takes away the messages of the settings that `which` picks. */
function clearProblems(which) {
  for (const attribute of [...problems.keys()].filter(which)) {
    const field = document.querySelector(`.kit-field[data-attribute="${attribute}"]`);
    const error = field?.querySelector(".kit-error");
    problems.delete(attribute);
    if (!field || !error) continue;
    for (const control of field.querySelectorAll("input, select")) {
      control.removeAttribute("aria-invalid");
      const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== error.id);
      if (described.length) control.setAttribute("aria-describedby", described.join(" "));
      else control.removeAttribute("aria-describedby");
    }
    error.remove();
  }
  warnAboutCode();
}

/** WCAG 2.2's contrast ratio between an sRGB colour `#rrggbb` and white. */
function contrastWithWhite(hex) {
  const channel = (offset) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

function checkAccent() {
  const ratio = contrastWithWhite(inputs.accent.value);
  if (ratio < MINIMUM_CONTRAST) {
    showProblem(
      "accent",
      `This colour has a contrast of ${ratio.toFixed(2)}:1 against white; the widget's white text on it needs at least ${MINIMUM_CONTRAST}:1. Choose a darker colour.`
    );
  }
}

// ---- The preview: the real widget, from the same bundle a partner page loads.

const frame = byId("frame");
const preview = document.createElement("sanankoroba-widget");
preview.setAttribute("loading", "eager");
// The widget names each refused attribute beside its message; changes are checked as they are
// made, so every message belongs to the settings on screen.
preview.addEventListener("sanankoroba:error", (event) => {
  if (event.detail?.kind !== "config") return;
  for (const { attribute, message } of event.detail.problems ?? []) showProblem(attribute, message);
});

function applyToPreview() {
  const wanted = Object.entries(attributes());
  // The widget checks its settings again only when one changes, and then reports every
  // problem it finds: the messages it gave before stand until then.
  if (wanted.some(([name, value]) => (preview.getAttribute(name) ?? "") !== value)) {
    clearProblems((attribute) => attribute !== "accent");
  }
  clearProblems((attribute) => attribute === "accent");
  for (const [name, value] of Object.entries(theme())) preview.style.setProperty(name, value);
  for (const [name, value] of wanted) {
    if (value) preview.setAttribute(name, value);
    else preview.removeAttribute(name);
  }
  checkAccent();
}

function setWidth() {
  const width = Number(byId("width").value);
  frame.style.inlineSize = `${width}px`;
  byId("width-value").value = `${width} px`;
}

// ---- The code to paste.

let loaderTag = { src: new URL("sanankoroba-widget.js", WIDGET_FOLDER).href, integrity: null };

// The pinned loader, named by its content, with the integrity a browser checks it against.
fetch(new URL("manifest.json", WIDGET_FOLDER))
  .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`manifest.json answered ${response.status}`))))
  .then((manifest) => {
    loaderTag = { src: new URL(manifest.loader.pinned, WIDGET_FOLDER).href, integrity: manifest.loader.integrity };
    renderCode();
  })
  .catch((error) => console.warn("Partner kit: the code uses the widget's unpinned loader.", error));

const escapeAttribute = (value) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

function htmlSnippet() {
  const integrity = loaderTag.integrity ? ` integrity="${escapeAttribute(loaderTag.integrity)}" crossorigin="anonymous"` : "";
  const element = Object.entries(attributes())
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
    .join(" ");
  return `<script src="${escapeAttribute(loaderTag.src)}"${integrity} async></script>\n<sanankoroba-widget ${element}></sanankoroba-widget>`;
}

function cssSnippet() {
  const themed = theme();
  const properties = Object.entries(themed).map(([name, value]) => `  ${name}: ${value};`);
  return ["sanankoroba-widget {", "  display: block;", `  min-height: ${themed["--sanankoroba-block-size"]};`, ...properties, "}"].join("\n");
}

function cspSnippet() {
  const widgetOrigin = WIDGET_FOLDER.origin;
  let endpointOrigin = "";
  try {
    endpointOrigin = new URL(inputs.endpoint.value.trim()).origin;
  } catch {
    // An endpoint that is no URL is named under its setting; the policy waits for a good one.
  }
  const connect = [widgetOrigin, endpointOrigin].filter((origin, index, all) => origin && all.indexOf(origin) === index);
  return [`script-src ${widgetOrigin} 'wasm-unsafe-eval';`, `connect-src ${connect.join(" ")};`].join("\n");
}

function renderCode() {
  byId("snippet-html").textContent = htmlSnippet();
  byId("snippet-css").textContent = cssSnippet();
  byId("snippet-csp").textContent = cspSnippet();
}

const status = byId("copy-status");
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const label = button.textContent.replace(/^Copy /, "");
    try {
      await navigator.clipboard.writeText(byId(button.dataset.copy).textContent);
      status.textContent = `Copied ${label}.`;
    } catch (error) {
      status.textContent = `Your browser did not let the page copy ${label}: select it and copy it yourself.`;
      console.warn("Partner kit: copying failed.", error);
    }
  });
}

function update() {
  applyToPreview();
  renderCode();
}

document.getElementById("settings").addEventListener("input", update);
document.getElementById("settings").addEventListener("change", update);
byId("width").addEventListener("input", setWidth);

setWidth();
update();
frame.append(preview);
