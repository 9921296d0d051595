// Steps every browser journey takes: press a button that submits (and wait for the page it leads to), and
// go to a form's next step, failing with the page's own error summary when the step refused the input.
import assert from 'node:assert/strict';

export async function submitWith(page, sel) {
  await Promise.all([page.waitForNavigation(), page.click(sel)]);
}

export async function next(page) {
  const before = page.url();
  await submitWith(page, '#step-next');
  if (page.url() === before && await page.locator('#error-summary').count())
    assert.fail(`${before}: ${await page.locator('#error-summary').innerText()}`);
}

// Opens Asti's access-to-records application, signs in through the demo SPID/CIE simulator as `cf` and
// waits for the form's first step (the draft).
export async function signInToApply(page, baseUrl, cf) {
  await page.goto(`${baseUrl}/asti/servizi/accesso-atti/domanda`);
  await page.click('.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await submitWith(page, `button[name="identity"][value="${cf}"]`);
  await page.waitForURL(/\/asti\/domande\/[A-Za-z0-9_-]{43}\/passo\/1$/);
}

// Fills the access-to-records form from its first step to the summary page (before sending).
export async function fillAccessToRecords(page, { description, reason }) {
  await page.fill('#f-applicant_residence-street', 'Corso Alfieri');
  await page.fill('#f-applicant_residence-number', '12');
  await page.fill('#f-applicant_residence-postcode', '14100');
  await page.fill('#f-applicant_residence-municipality', 'Asti');
  await page.click('label[for="f-acting_as-0"]');
  await next(page);
  await page.fill('#f-records_description', description);
  await page.fill('#f-reason', reason);
  await page.click('label[for="f-mode-0"]');
  await page.click('label[for="f-counterparties_known-1"]');
  await next(page);
  for (const id of ['declaration_costs', 'declaration_truth', 'declaration_privacy']) await page.click(`label[for="f-${id}"]`);
  await next(page);
}
