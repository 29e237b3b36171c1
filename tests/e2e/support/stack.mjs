// The stack most test files run against: a partner's host, the real receiver behind its
// endpoint (with the host's origin on the CORS allow-list) and a browser.

import { launchBrowser } from "./browser.mjs";
import { startHost } from "./host.mjs";
import { startReceiver } from "./receiver.mjs";

export async function startStack() {
  const host = await startHost();
  const receiver = await startReceiver({ allowedOrigins: [host.origin] });
  host.setReceiver(receiver);
  const browser = await launchBrowser();
  return { browser, host, receiver };
}

export async function stopStack({ browser, host, receiver }) {
  await browser?.close();
  await host?.stop();
  await receiver?.stop();
}
