// What a donor does with the widget, found the way assistive technology finds it: by role and
// accessible name. Every action takes the catalogue of the widget's language, TEXT.en or
// TEXT.fr, so one journey reads the same in both languages.

/** The texts the journeys look for, exactly as `src/i18n/en.rs` and `src/i18n/fr.rs` write them. */
export const TEXT = {
  en: {
    locale: "en",
    options: { child: "Sponsor a child (monthly)", village: "Sponsor the village (monthly)", oneOff: "One-off gift" },
    chooseHeading: "How would you like to help?",
    amountHeadingMonthly: "How much would you like to give each month?",
    amountHeadingOnce: "How much would you like to give?",
    otherAmount: "Other amount",
    detailsHeading: "Your details",
    givenName: "Given name",
    familyName: "Family name",
    email: "Email address",
    country: "Country",
    giftAid: "Yes, add Gift Aid to my gifts",
    homeAddress: "Home address",
    postcode: "Postcode",
    consent: { email: "By email", post: "By post", phone: "By phone" },
    phone: "Phone number",
    postalAddress: "Postal address",
    postalPostcode: "Postcode (if your address has one)",
    reviewHeading: "Check your pledge",
    edit: { option: "Edit how you help", amount: "Edit amount", details: "Edit your details", giftAid: "Edit Gift Aid", consent: "Edit keeping in touch" },
    next: "Next",
    back: "Back",
    confirm: "Confirm my pledge",
    errorSummary: "Please correct the following",
    thanksHeading: (name) => `Thank you, ${name}`,
    reference: /Your pledge reference is (\S+)\./,
    stepPosition: (current, name) => `Step ${current} of 5: ${name}`,
    steps: ["Your support", "Amount", "Your details", "Check", "Confirm"],
  },
  fr: {
    locale: "fr",
    options: { child: "Parrainer un enfant (chaque mois)", village: "Parrainer le village (chaque mois)", oneOff: "Don ponctuel" },
    chooseHeading: "Comment souhaitez-vous aider\u202f?",
    amountHeadingMonthly: "Combien souhaitez-vous donner chaque mois\u202f?",
    amountHeadingOnce: "Combien souhaitez-vous donner\u202f?",
    otherAmount: "Autre montant",
    detailsHeading: "Vos coordonnées",
    givenName: "Prénom",
    familyName: "Nom de famille",
    email: "Adresse e-mail",
    country: "Pays",
    giftAid: "Oui, j'ajoute le Gift Aid à mes dons",
    homeAddress: "Adresse personnelle",
    postcode: "Code postal",
    consent: { email: "Par e-mail", post: "Par courrier", phone: "Par téléphone" },
    phone: "Numéro de téléphone",
    postalAddress: "Adresse postale",
    postalPostcode: "Code postal (si votre adresse en a un)",
    reviewHeading: "Vérifiez votre promesse de don",
    edit: { option: "Modifier votre soutien", amount: "Modifier le montant", details: "Modifier vos coordonnées", giftAid: "Modifier le Gift Aid", consent: "Modifier vos choix de contact" },
    next: "Suivant",
    back: "Retour",
    confirm: "Confirmer ma promesse de don",
    errorSummary: "Veuillez corriger les points suivants",
    thanksHeading: (name) => `Merci, ${name}\u202f!`,
    reference: /La référence de votre promesse de don est (\S+)\./,
    stepPosition: (current, name) => `Étape ${current} sur 5\u00a0: ${name}`,
    steps: ["Votre soutien", "Montant", "Vos coordonnées", "Vérification", "Confirmation"],
  },
};

const WIDGET = "sanankoroba-widget";

/** The heading of the step on screen; it receives focus on every step change. */
export function stepHeading(page) {
  return page.locator(`${WIDGET} #sk-step-heading`);
}

/** Resolves once the step whose heading reads `text` is on screen. */
export async function expectStep(page, text, { timeout = 10_000 } = {}) {
  const heading = stepHeading(page);
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await heading.textContent({ timeout }).catch(() => null);
    if (shown?.trim() === text) return heading;
    if (Date.now() > deadline) throw new Error(`expected the step "${text}", saw "${shown}"`);
    await page.waitForTimeout(25);
  }
}

/** `£30`, `30 €`, `15 000 F CFA`: an amount as the browser, and so the widget, writes it. */
export function amountLabel(page, minorUnits, currency, locale) {
  return page.evaluate(
    ({ minorUnits, currency, locale }) => {
      const format = new Intl.NumberFormat(locale, { style: "currency", currency, trailingZeroDisplay: "stripIfInteger" });
      const exponent = format.resolvedOptions().maximumFractionDigits;
      return format.format(minorUnits / 10 ** exponent);
    },
    { minorUnits, currency, locale }
  );
}

/** Picks one of the three ways to help: `option` is `child`, `village` or `oneOff`. */
export async function chooseOption(page, text, option) {
  await expectStep(page, text.chooseHeading);
  await page.getByRole("radio", { name: text.options[option], exact: true }).check();
}

/** Picks a suggested amount by its label, such as the one `amountLabel` gives. */
export async function chooseAmount(page, label) {
  await page.getByRole("radio", { name: label, exact: true }).check();
}

/** The field for an amount of the donor's own. */
export function otherAmountField(page, text) {
  return page.getByLabel(text.otherAmount, { exact: true });
}

/** Types an amount of the donor's own, as they would write it (`12,50` in French). */
export async function typeOtherAmount(page, text, typed) {
  await otherAmountField(page, text).fill(typed);
}

/** Fills in who the donor is. Only the fields given are touched. */
export async function fillDetails(page, text, { givenName, familyName, email, country } = {}) {
  if (givenName !== undefined) await page.getByLabel(text.givenName, { exact: true }).fill(givenName);
  if (familyName !== undefined) await page.getByLabel(text.familyName, { exact: true }).fill(familyName);
  if (email !== undefined) await page.getByLabel(text.email, { exact: true }).fill(email);
  if (country !== undefined) await chooseCountry(page, text, country);
}

/** Picks a country by its ISO code, which is the option's value. */
export async function chooseCountry(page, text, code) {
  await page.getByLabel(text.country, { exact: true }).selectOption(code);
}

/** Ticks Gift Aid and gives the home address HMRC needs. */
export async function addGiftAid(page, text, { homeAddress, postcode }) {
  await page.getByRole("checkbox", { name: text.giftAid, exact: true }).check();
  await page.getByLabel(text.homeAddress, { exact: true }).fill(homeAddress);
  await page.getByLabel(text.postcode, { exact: true }).fill(postcode);
}

/** The number and the address a donor gives when they agree to calls and letters. */
export const CONTACT = { phone: "+33 4 72 00 00 00", postalAddress: "12 rue des Lilas, Lyon", postalPostcode: "69003" };

/**
 * Ticks the ways the donor agrees to hear from the charity (any of `email`, `post`, `phone`) and
 * gives what each asks for: the number to call, and the address for letters unless a Gift Aid
 * home address serves.
 */
export async function allowContact(page, text, channels, contact = CONTACT) {
  for (const channel of channels) {
    await page.getByRole("checkbox", { name: text.consent[channel], exact: true }).check();
    if (channel === "phone") await page.getByLabel(text.phone, { exact: true }).fill(contact.phone);
    const address = page.getByLabel(text.postalAddress, { exact: true });
    if (channel === "post" && (await address.isVisible())) {
      await address.fill(contact.postalAddress);
      await page.getByLabel(text.postalPostcode, { exact: true }).fill(contact.postalPostcode);
    }
  }
}

export async function next(page, text) {
  await page.getByRole("button", { name: text.next, exact: true }).click();
}

export async function back(page, text) {
  await page.getByRole("button", { name: text.back, exact: true }).click();
}

/** From the review, opens a section again: `section` is a key of `text.edit`. */
export async function edit(page, text, section) {
  await page.getByRole("button", { name: text.edit[section], exact: true }).click();
}

/** On the review step, sends the pledge. */
export async function confirm(page, text) {
  await expectStep(page, text.reviewHeading);
  await page.getByRole("button", { name: text.confirm, exact: true }).click();
}

/** Waits for the thank-you and returns the pledge reference it shows. */
export async function expectThanks(page, text, givenName) {
  await expectStep(page, text.thanksHeading(givenName), { timeout: 15_000 });
  const paragraph = page.locator(`${WIDGET} .sk-reference`);
  const match = text.reference.exec((await paragraph.textContent()) ?? "");
  if (!match) throw new Error(`no reference in "${await paragraph.textContent()}"`);
  return match[1];
}

/** The id of the element that has keyboard focus inside the widget's shadow root. */
export function focusedId(page) {
  return page.evaluate((host) => document.querySelector(host)?.shadowRoot?.activeElement?.id ?? null, WIDGET);
}

/**
 * The whole journey, from the first step to the thank-you: `pledge` names the `option`, the
 * suggested `amount` (minor units) in `currency`, the donor's `details` (as `fillDetails` takes
 * them), and optionally `giftAid` (as `addGiftAid` takes it) and `contact` channels. Returns the
 * reference the thank-you step shows.
 */
export async function makePledge(page, text, { option = "child", amount, currency = "GBP", details, giftAid, contact = [] }) {
  await chooseOption(page, text, option);
  await next(page, text);
  await expectStep(page, option === "oneOff" ? text.amountHeadingOnce : text.amountHeadingMonthly);
  await chooseAmount(page, await amountLabel(page, amount, currency, text.locale));
  await next(page, text);
  await expectStep(page, text.detailsHeading);
  await fillDetails(page, text, details);
  if (giftAid) await addGiftAid(page, text, giftAid);
  await allowContact(page, text, contact);
  await next(page, text);
  await confirm(page, text);
  return expectThanks(page, text, details.givenName.trim());
}

/** Resolves once keyboard focus inside the widget sits on the element with this id. */
export async function expectFocusOn(page, id, { timeout = 5_000 } = {}) {
  const deadline = Date.now() + timeout;
  let focused;
  while ((focused = await focusedId(page)) !== id) {
    if (Date.now() > deadline) throw new Error(`expected focus on #${id}, found it on #${focused}`);
    await page.waitForTimeout(20);
  }
}
