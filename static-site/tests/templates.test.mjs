// Staff: "Szablony e-maili" → "zastępstwo" (the `substituted` kind only; the other kinds are
// asserted elsewhere): an unknown placeholder in the subject shows an error under "Temat";
// the fixed subject (inserted placeholder) previews with the sample title; save → reload →
// "własny"; "Przywróć domyślny" → "domyślny".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, login, newPage, pickUsers, screenshot, withDiagnostics } from './helpers.mjs';

const KIND = 'substituted';
const SAMPLE_TITLE = 'Zamówienia publiczne w praktyce';

describe('staff CRM: notification templates', () => {
  const suite = e2eSuite();

  test('edit the "zastępstwo" template: error, preview, save, restore', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      // A previous, interrupted run may have left a custom template behind.
      const reset = await apiFetch(page, `/api/staff/notification-templates/${KIND}`, { method: 'DELETE' });
      assert.equal(reset.status, 200, `reset the template: ${reset.text}`);

      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Szablony e-maili' }).click();
      await page.waitForURL(/#\/crm\/templates/);
      await page.getByRole('heading', { name: 'Szablony e-maili', level: 1 }).waitFor();

      const kinds = page.getByRole('navigation', { name: 'Rodzaje wiadomości' });
      await kinds.getByRole('link', { name: /zastępstwo/ }).click();
      await page.waitForURL(/#\/crm\/templates\/substituted$/);
      const form = page.getByRole('form', { name: 'Edycja szablonu' });
      await form.getByRole('heading', { name: 'Szablon: zastępstwo' }).waitFor();
      const badge = page.getByTestId('template-badge');
      assert.equal((await badge.textContent()).trim(), 'domyślny');

      // Unknown placeholder → error under "Temat" (from the live preview).
      const subject = form.getByLabel('Temat', { exact: true });
      await subject.fill('Zastępstwo: {{ training.cena }}');
      const subjectError = form.getByTestId('field-error-subject');
      await subjectError.waitFor({ state: 'visible' });
      assert.ok((await subjectError.textContent()).trim().length > 0, 'the subject error has a message');
      assert.match(await subjectError.textContent(), /training\.cena/, 'the error names the unknown placeholder');
      assert.equal(await subject.getAttribute('aria-invalid'), 'true');
      const describedBy = await subject.getAttribute('aria-describedby');
      assert.equal(describedBy, await subjectError.getAttribute('id'), 'the error belongs to "Temat"');

      // Fix it by inserting the placeholder at the cursor.
      await subject.fill('Zastępstwo: ');
      await subject.press('End');
      await page.getByTestId('placeholders').getByRole('button', { name: '{{ training.title }}' }).click();
      assert.equal(await subject.inputValue(), 'Zastępstwo: {{ training.title }}');
      await subjectError.waitFor({ state: 'detached' });
      const previewSubject = page.getByTestId('preview-subject');
      await eventually(async () => (await previewSubject.textContent()).trim() === `Zastępstwo: ${SAMPLE_TITLE}`, { message: 'the preview subject with the sample title' });
      assert.equal(await page.getByTestId('preview-html').getAttribute('sandbox'), '', 'the HTML preview is sandboxed');

      await form.getByRole('button', { name: 'Zapisz', exact: true }).click();
      await eventually(async () => (await badge.textContent()).trim() === 'własny', { message: 'badge "własny" after save' });

      await page.reload();
      await form.getByRole('heading', { name: 'Szablon: zastępstwo' }).waitFor();
      await eventually(async () => (await badge.textContent()).trim() === 'własny', { message: 'badge "własny" after reload' });
      assert.equal(await form.getByLabel('Temat', { exact: true }).inputValue(), 'Zastępstwo: {{ training.title }}');
      assert.match(await kinds.getByTestId(`template-kind-${KIND}`).textContent(), /własny/);
      await screenshot(page, 'templates-custom');

      page.once('dialog', (d) => d.accept());
      await form.getByRole('button', { name: 'Przywróć domyślny' }).click();
      await eventually(async () => (await badge.textContent()).trim() === 'domyślny', { message: 'badge "domyślny" after restore' });
      assert.notEqual(await form.getByLabel('Temat', { exact: true }).inputValue(), 'Zastępstwo: {{ training.title }}');
      await page.reload();
      await eventually(async () => (await page.getByTestId('template-badge').textContent()).trim() === 'domyślny', { message: 'badge "domyślny" after reload' });
    } catch (err) {
      await screenshot(page, 'templates-failure').catch(() => {});
      await apiFetch(page, `/api/staff/notification-templates/${KIND}`, { method: 'DELETE' }).catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
