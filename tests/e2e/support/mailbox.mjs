// The demo mailbox /sim/posta, as the browser tests read it: the e-mails the SMTP sink received and the
// text messages the SMS gateway simulator received (docs/messaging.md).
import assert from 'node:assert/strict';

/** Everything at `${baseUrl}/sim/posta`, read through `page` (which it navigates there). */
export async function mailbox(page, baseUrl) {
  await page.goto(`${baseUrl}/sim/posta`);
  const mails = await page.locator('.sim-mail').evaluateAll((els) => els.map((e) => ({
    subject: e.querySelector('h3').innerText, meta: e.querySelector('p').innerText, body: e.querySelector('pre').innerText,
  })));
  const texts = await page.locator('.sim-sms').evaluateAll((els) => els.map((e) => ({
    meta: e.querySelector('p').innerText, text: e.querySelectorAll('p')[1].innerText,
  })));
  return { mails, texts };
}

/** Reads the mailbox until `pick({mails, texts})` finds something (the outbox delivers in the background). */
export async function waitForMail(page, baseUrl, what, pick, { tries = 60, every = 500 } = {}) {
  for (let i = 0; i < tries; i++) {
    const found = pick(await mailbox(page, baseUrl));
    if (found) return found;
    await page.waitForTimeout(every);
  }
  assert.fail(`nothing at /sim/posta for ${what}`);
}

/** The six-digit code of a verification message. */
export const sixDigitCode = (s) => s.match(/\b(\d{6})\b/)[1];
