// The charity staff's inbox in Chromium, as staff use it: signing in, filtering the list,
// opening a pledge, changing its status with a note, reading its history, downloading the
// Gift Aid schedule, erasing a donor, and adding a webhook endpoint and reading its
// deliveries; axe on every staff page, and the whole of it by keyboard.
//
// axe is added to each page as a script, which the pages' own policy forbids (they allow no
// scripts at all), so these contexts bypass the policy; the policy itself is checked over
// HTTP by the receiver's tests.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { launchBrowser, openPage, artifactPath } from "./support/browser.mjs";
import { startReceiver } from "./support/receiver.mjs";
import { axeViolations, describeViolations } from "./support/axe.mjs";
import { ROOT } from "./support/paths.mjs";

const USERNAME = "amina";
const PASSWORD = "a long staff password";

let browser, receiver;
const references = {};

function example(name, edit) {
  const pledge = JSON.parse(readFileSync(join(ROOT, "contract/examples", name), "utf8"));
  pledge.idempotency_key = randomUUID();
  edit?.(pledge);
  return pledge;
}

before(async () => {
  browser = await launchBrowser();
  receiver = await startReceiver();
  receiver.addStaff(USERNAME, PASSWORD);
  references.hughes = await receiver.post(example("child-gbp-gift-aid.json"));
  references.traore = await receiver.post(
    example("village-usd.json", (pledge) => {
      pledge.donor.given_name = "Fanta";
      pledge.donor.family_name = "Traoré";
      pledge.donor.email = "fanta.traore@example.org";
    })
  );
  references.second = await receiver.post(example("one-off-gbp-gift-aid.json", (pledge) => (pledge.partner = "st-marys")));
  // A flat, whose house number HMRC's schedule cannot take from the address as it stands.
  references.flat = await receiver.post(
    example("village-gbp-gift-aid.json", (pledge) => {
      pledge.donor.family_name = "Okafor-Smith";
      pledge.donor.email = "okafor@example.org";
      pledge.gift_aid.home_address = "Flat 3, 12 High Street, Leeds";
    })
  );
});

after(async () => {
  await browser?.close();
  await receiver?.stop();
});

async function expectAccessible(page, name) {
  const violations = await axeViolations(page, "html");
  assert.equal(violations.length, 0, `axe on the ${name} page:\n${describeViolations(violations)}`);
}

/** Tabs until `locator` has the focus; fails after `limit` presses. */
async function tabTo(page, locator, limit = 60) {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await locator.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${locator} never received the focus by keyboard`);
}

async function signInByKeyboard(page) {
  await page.goto(`${receiver.origin}/admin/`);
  await page.waitForURL(/\/admin\/sign-in/);
  await tabTo(page, page.getByLabel("Username"));
  await page.keyboard.type(USERNAME);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${receiver.origin}/admin/`);
}

test("staff sign in, filter, open a pledge and change its status with a note, by keyboard", async () => {
  const { context, page, problems } = await openPage(browser, { bypassCSP: true, viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${receiver.origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await expectAccessible(page, "sign-in");
    await page.screenshot({ path: artifactPath("admin-sign-in.png"), fullPage: true });
    await signInByKeyboard(page);
    await expectAccessible(page, "inbox");
    await page.screenshot({ path: artifactPath("admin-inbox.png"), fullPage: true });
    const rows = page.locator("table.pledges tbody tr");
    assert.equal(await rows.count(), 4);

    // Free text: the family name, accents and all, then Enter submits the filters.
    await tabTo(page, page.getByLabel("Name, email or reference"));
    await page.keyboard.type("traoré");
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=/);
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Fanta Traoré/);

    // A partner and a currency from the form's own controls.
    await page.goto(`${receiver.origin}/admin/`);
    await page.getByLabel("Partner id").fill("st-marys");
    await page.getByLabel("Currency").selectOption("GBP");
    await page.getByRole("button", { name: "Show pledges" }).click();
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), new RegExp(references.second));

    // Open the pledge with the Gift Aid declaration from the list, by keyboard.
    await page.goto(`${receiver.origin}/admin/?q=${encodeURIComponent("hughes")}`);
    const link = page.getByRole("link", { name: references.hughes });
    await tabTo(page, link);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/admin/pledges/${references.hughes}$`));
    await expectAccessible(page, "pledge");
    const body = await page.locator("main").innerText();
    assert.match(body, /every gift I have made in the past four years/, "the declaration's words are shown");
    assert.match(body, /14 Orchard Lane, Leeds/);
    assert.match(body, /Received from the widget/);

    // Converted, with a note, by keyboard: Tab into the group of statuses, arrows to the one
    // wanted, as a radio group is used, then Tab to the note.
    await tabTo(page, page.getByRole("radio").first());
    const converted = page.getByRole("radio", { name: "Converted" });
    for (let presses = 0; presses < 5 && !(await converted.isChecked()); presses += 1) {
      await page.keyboard.press("ArrowDown");
    }
    assert.ok(await converted.isChecked(), "Converted is chosen by keyboard");
    await tabTo(page, page.getByLabel("Note (optional)"));
    await page.keyboard.type("First gift set up by phone; thanked.");
    await tabTo(page, page.getByRole("button", { name: "Change the status" }));
    await page.keyboard.press("Enter");
    await page.waitForURL(/changed=1/);
    await page.getByRole("status").filter({ hasText: "The status was changed." }).waitFor();
    const history = await page.locator("table.history").innerText();
    assert.match(history, /Status changed from New to Converted/);
    assert.match(history, /amina/);
    assert.match(history, /First gift set up by phone; thanked\./);
    await expectAccessible(page, "pledge after a change");
    await page.screenshot({ path: artifactPath("admin-pledge.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Follows the first test, which converted the pledge with the Gift Aid declaration.
test("the dashboard, the Gift Aid schedule and erasing a donor", async () => {
  const { context, page, problems } = await openPage(browser, { bypassCSP: true, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  try {
    await signInByKeyboard(page);

    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(/\/admin\/dashboard/);
    await expectAccessible(page, "dashboard");
    assert.ok(await page.locator("svg[role=img]").count() >= 2, "charts are drawn");
    assert.ok(await page.locator("table").count() >= 2, "each chart has its table");
    await page.screenshot({ path: artifactPath("admin-dashboard.png"), fullPage: true });

    // The flat's pledge converts too, through the same form.
    await page.goto(`${receiver.origin}/admin/pledges/${references.flat}`);
    await page.getByRole("radio", { name: "Converted" }).check();
    await page.getByRole("button", { name: "Change the status" }).click();
    await page.waitForURL(/changed=1/);

    await page.getByRole("link", { name: "Gift Aid" }).click();
    await page.waitForURL(/\/admin\/gift-aid/);
    const unclaimable = await page.locator("table.unclaimable").innerText();
    assert.match(unclaimable, new RegExp(references.flat));
    assert.match(unclaimable, /house name or number/i, "the reason names what is missing");
    assert.match(await page.locator("table.schedule").innerText(), /Amelia\s+Hughes\s+14\s+LS6 2QE/);
    await expectAccessible(page, "Gift Aid");
    await page.screenshot({ path: artifactPath("admin-gift-aid.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download the schedule/ }).click()]);
    const schedule = readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "").trim().split(/\r\n/);
    assert.equal(schedule.length, 2, `a header and the converted pledge:\n${schedule.join("\n")}`);
    const cells = schedule[1].split(",");
    const today = new Date();
    const ddmmyy = [today.getUTCDate(), today.getUTCMonth() + 1, today.getUTCFullYear() % 100].map((n) => String(n).padStart(2, "0")).join("/");
    assert.deepEqual(cells, ["", "Amelia", "Hughes", "14", "LS6 2QE", "", "", ddmmyy, "25.00"]);

    // Erase the donor of the converted pledge by email.
    await page.getByRole("link", { name: "Data protection" }).click();
    await page.waitForURL(/\/admin\/data-protection/);
    await expectAccessible(page, "data protection");
    await page.getByLabel("Email address or pledge reference").fill("Amelia.Hughes@example.co.uk");
    // Without the tick, the browser keeps the form back: nothing is erased.
    await page.getByRole("button", { name: "Erase the donor's details" }).click();
    const tick = page.getByLabel("I understand that this cannot be undone");
    assert.equal(await tick.evaluate((box) => box.validity.valueMissing), true);
    assert.match(page.url(), /\/admin\/data-protection$/);
    await page.getByLabel("I understand that this cannot be undone").check();
    await page.getByRole("button", { name: "Erase the donor's details" }).click();
    await page.getByRole("status").filter({ hasText: "erased" }).waitFor();
    assert.match(await page.getByRole("status").innerText(), new RegExp(references.hughes));
    await page.screenshot({ path: artifactPath("admin-data-protection.png"), fullPage: true });

    // Both exports: the charity's CSV keeps the pledge without its donor, and the Gift Aid
    // schedule no longer claims on it.
    const csv = await (await receiver.admin("/v1/pledges.csv?status=converted")).text();
    assert.ok(!/Hughes|amelia\.hughes|Orchard/i.test(csv), `the CSV export holds no erased detail:\n${csv}`);
    assert.match(csv, new RegExp(references.hughes));
    await page.goto(`${receiver.origin}/admin/gift-aid`);
    const [again] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download the schedule/ }).click()]);
    const rows = readFileSync(await again.path(), "utf8").trim().split(/\r\n/);
    assert.equal(rows.length, 1, "only the header is left");

    // The subject-access export for that email now holds the pledge without personal details.
    await page.goto(`${receiver.origin}/admin/data-protection`);
    await page.getByLabel("Email address", { exact: true }).fill("fanta.traore@example.org");
    const [access] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download (JSON)" }).click()]);
    const held = JSON.parse(readFileSync(await access.path(), "utf8"));
    assert.equal(held.pledges.length, 1);
    assert.equal(held.pledges[0].pledge.donor.family_name, "Traoré");
    assert.ok(held.pledges[0].history.some((event) => event.what === "Received from the widget"));
    assert.deepEqual(problems, []);

    // A reference that matches no pledge gets a page of its own, with a way back. (The browser
    // logs the 404 itself, so this comes after the check for a clean console.)
    const missing = await page.goto(`${receiver.origin}/admin/pledges/SK-ZZZZ-ZZZZ`);
    assert.equal(missing.status(), 404);
    await page.getByRole("heading", { name: "No such pledge" }).waitFor();
    await expectAccessible(page, "no such pledge");
  } finally {
    await context.close();
  }
});

test("webhook endpoints: adding one or replacing its secret shows the secret once, and the next pledge's delivery is listed", async () => {
  const { context, page, problems } = await openPage(browser, { bypassCSP: true, viewport: { width: 1280, height: 900 } });
  try {
    await signInByKeyboard(page);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.waitForURL(/\/admin\/webhooks$/);
    await expectAccessible(page, "webhooks");

    // Nothing listens on the discard port: deliveries to it fail and wait for their retry.
    await page.getByLabel("Name", { exact: true }).fill("crm-robot");
    await page.getByLabel("Address", { exact: true }).fill("http://127.0.0.1:9/hooks/sanankoroba");
    await page.getByRole("button", { name: "Add the endpoint" }).click();
    const added = page.getByRole("status").filter({ hasText: "will not be shown again" });
    await added.waitFor();
    const secret = (await page.locator(".secret code").innerText()).trim();
    assert.ok(secret.length >= 24, `a secret is shown: ${secret}`);
    assert.match(await page.locator("table.endpoints").innerText(), /crm-robot\s+http:\/\/127\.0\.0\.1:9\/hooks\/sanankoroba\s+amina on this page/);
    await expectAccessible(page, "webhooks with a new secret");
    await page.goto(`${receiver.origin}/admin/webhooks`);
    assert.ok(!(await page.content()).includes(secret), "the secret is not shown again");

    // A new secret, shown once; the old one signs too for a day, and the list says until when.
    await page.getByRole("button", { name: "Replace the secret" }).click();
    await page.getByRole("status").filter({ hasText: "has a new signing secret" }).waitFor();
    const replaced = (await page.locator(".secret code").innerText()).trim();
    assert.ok(replaced.length >= 24 && replaced !== secret, "a different secret is shown");
    assert.match(await page.locator("table.endpoints").innerText(), /crm-robot\s+Old secret signs too until/);
    await expectAccessible(page, "webhooks with a replaced secret");
    await page.screenshot({ path: artifactPath("admin-webhooks.png"), fullPage: true });

    // The next pledge is delivered to the new endpoint, without a restart.
    const reference = await receiver.post(example("child-gbp-gift-aid.json"));
    await page.getByRole("link", { name: "See the deliveries" }).click();
    await page.waitForURL(/\/admin\/deliveries$/);
    const row = page.locator("table.deliveries tbody tr").filter({ hasText: reference });
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /pledge\.created[\s\S]*crm-robot/);
    await page.getByLabel("Status").selectOption("pending");
    await page.getByRole("button", { name: "Show deliveries" }).click();
    await page.waitForURL(/status=pending/);
    assert.equal(await page.locator("table.deliveries tbody tr").filter({ hasText: reference }).count(), 1);
    await expectAccessible(page, "deliveries");
    await page.screenshot({ path: artifactPath("admin-deliveries.png"), fullPage: true });
    await page.getByRole("link", { name: reference }).click();
    await page.waitForURL(new RegExp(`/admin/pledges/${reference}$`));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
