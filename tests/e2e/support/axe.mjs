// axe-core inside the page, checking the widget against the WCAG A and AA rules.
//
// The script is added inline, so the page under test must have no Content-Security-Policy:
// a strict policy would block it, and the check would silently test nothing.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The tags the charity's specification names: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Runs axe against the widget (open shadow roots included) and returns its violations. */
export async function axeViolations(page, selector = "sanankoroba-widget") {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(
    async ({ selector, tags }) => {
      const results = await window.axe.run(selector, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      if (results.passes.length + results.violations.length + results.incomplete.length === 0) {
        throw new Error(`axe checked nothing inside ${selector}`);
      }
      return results.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
        id,
        impact,
        help,
        helpUrl,
        nodes: nodes.map((node) => ({ target: node.target, html: node.html, summary: node.failureSummary })),
      }));
    },
    { selector, tags: WCAG_TAGS }
  );
}

/** One line per rule and one indented block per offending element, for a failing assertion. */
export function describeViolations(violations) {
  return violations
    .map(({ id, impact, help, helpUrl, nodes }) =>
      [
        `${id} (${impact}): ${help} — ${helpUrl}`,
        ...nodes.map((node) => `    at ${JSON.stringify(node.target)}\n      ${node.html}\n      ${(node.summary ?? "").replace(/\n/g, "\n      ")}`),
      ].join("\n")
    )
    .join("\n");
}

/** Throws with a readable list when axe finds anything in the widget in its current state. */
export async function expectNoViolations(page, state) {
  const violations = await axeViolations(page);
  if (violations.length) {
    throw new Error(`axe found ${violations.length} WCAG violation(s) in the ${state} state:\n${describeViolations(violations)}`);
  }
}
