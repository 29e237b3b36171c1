// Host pages that embed the widget exactly as the README tells partners to.

/** The embed snippet, as a partner pastes it. */
export function embedSnippet({ loaderUrl, endpoint, partner = "e2e-school", lang, currency, presets, extra = "" }) {
  const attributes = [
    `endpoint="${endpoint}"`,
    partner && `partner="${partner}"`,
    lang && `lang="${lang}"`,
    currency && `currency="${currency}"`,
    presets && `presets="${presets}"`,
  ]
    .filter(Boolean)
    .join(" ");
  return `<script src="${loaderUrl}" async></script>\n<sanankoroba-widget ${attributes} ${extra}></sanankoroba-widget>`;
}

/** A plain page: a heading, some text and the widget, with no CSS of its own. */
export function plainPage({ title = "Partner page", head = "", before = "", after = "", htmlAttributes = 'lang="en"', ...embed }) {
  return `<!doctype html>
<html ${htmlAttributes}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title}</title>${head}</head>
<body>
<main>
<h1>${title}</h1>
${before}
${embedSnippet(embed)}
${after}
</main>
</body>
</html>`;
}

/** Global CSS written to break embedded widgets. It must not reach inside ours. */
export const HOSTILE_CSS = `<link rel="stylesheet" href="/hostile.css">`;

/**
 * The rule the README asks partners to add to their own stylesheet. Before the loader script
 * arrives the browser cannot know the widget's size; this tells it.
 */
export const RESERVE_CSS = `<link rel="stylesheet" href="/partner-reserve.css">`;
