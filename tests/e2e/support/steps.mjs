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
