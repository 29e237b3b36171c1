// The partner page the benchmark compares, in each of its variants: the same club page without
// the widget, with it below the fold, and with it in the first viewport.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RESERVE_CSS, embedSnippet } from "../e2e/support/pages.mjs";

/** The fixture's own files (stylesheet, script, images), served by the host at `/`. */
export const PARTNER_ASSETS = join(dirname(fileURLToPath(import.meta.url)), "pages");

const TEMPLATE = readFileSync(join(PARTNER_ASSETS, "partner.html"), "utf8");

/**
 * The variants. `reserve` is the rule the README asks partners to add to their stylesheet; the
 * page without the widget links it too, so that A and B differ only by the embed itself.
 */
export const VARIANTS = {
  A: { label: "A: no widget", placement: null, reserve: true },
  B: { label: "B: widget below the fold", placement: "below", reserve: true },
  C: { label: "C: widget in the first viewport", placement: "first", reserve: true },
  B0: { label: "B without the reserve rule", placement: "below", reserve: false },
  C0: { label: "C without the reserve rule", placement: "first", reserve: false },
};

/** The page's HTML for `variant`, embedding the widget with the README's snippet. */
export function partnerPage(variant, { loaderUrl, endpoint }) {
  const { placement, reserve } = VARIANTS[variant];
  const embed = embedSnippet({ loaderUrl, endpoint, partner: "kingsmead-harriers", lang: "en", currency: "GBP" });
  const slots = {
    head: reserve ? RESERVE_CSS : "",
    first: placement === "first" ? embed : "",
    below: placement === "below" ? embed : "",
  };
  return TEMPLATE.replace(/\{\{(\w+)\}\}/g, (_, slot) => {
    if (!(slot in slots)) throw new Error(`partner.html has an unknown slot {{${slot}}}`);
    return slots[slot];
  });
}
