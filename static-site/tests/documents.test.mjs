// Staff: (a) "Szablony dokumentów" → "umowa": an unknown placeholder in the title shows an error
// under "Tytuł"; the placeholder inserted at the cursor fixes it; the live preview is a PDF
// (checked from the preview response) shown in an iframe; save → reload → "własny"; "Przywróć
// domyślny" → "domyślny". (b) a unit card's tab "Dokumenty": "Nowa umowa" for the unit's
// long-term contract → the document UM/NNNN/RRRR listed → "Pobierz PDF" downloads a PDF through
// the 5-minute link; the unit's history shows the document; a person's "Nowe pismo" is listed
// on the person card.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, login, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function ok(res, what) {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

describe('staff CRM: document templates and generated documents', () => {
  const suite = e2eSuite();

  test('edit the contract template: error under the field, PDF preview, save, restore', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    page.on('dialog', (d) => d.accept());
    try {
      await login(page, env.base, staff);
      // A previous, interrupted run may have left a custom template behind.
      ok(await apiFetch(page, '/api/staff/document-templates/contract', { method: 'DELETE' }), 'reset the template');

      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Szablony dokumentów' }).click();
      await page.waitForURL(/#\/crm\/document-templates/);
      await page.getByRole('heading', { name: 'Szablony dokumentów', level: 1 }).waitFor();
      const kinds = page.getByRole('navigation', { name: 'Rodzaje dokumentów' });
      await kinds.getByText('zaświadczenie: konsultacje/seminarium prawne').waitFor(); // a certificate slot per training kind

      // The first preview arrives with the editor.
      // (A gateway failure is repeated by the app, so the test waits for the answer that rendered.)
      const firstPreview = page.waitForResponse((r) => r.url().endsWith('/api/staff/document-templates/preview') && r.status() === 200);
      await kinds.getByRole('link', { name: /^umowa/ }).click();
      await page.waitForURL(/#\/crm\/document-templates\/contract$/);
      const form = page.getByRole('form', { name: 'Edycja szablonu dokumentu' });
      await form.getByRole('heading', { name: 'Szablon: umowa' }).waitFor();
      const badge = page.getByTestId('doc-template-badge');
      assert.equal((await badge.textContent()).trim(), 'domyślny');
      const preview = await (await firstPreview).json();
      assert.ok(Buffer.from(preview.pdfBase64, 'base64').subarray(0, 5).equals(Buffer.from('%PDF-')), 'the preview is a PDF');
      assert.match(preview.title, /^Umowa UM\/0017\/2026 – Gmina Suchy Las$/);
      const frame = page.getByTestId('doc-preview-frame');
      await eventually(async () => String(await frame.getAttribute('src')).startsWith('blob:'), { message: 'the PDF in the iframe' });

      // Unknown placeholder → error under "Tytuł" (from the live preview), naming it.
      const title = form.getByLabel('Tytuł (nazwa pliku)');
      await title.fill('Umowa {{ unit.nazwa }}');
      const titleError = form.getByTestId('field-error-title');
      await titleError.waitFor({ state: 'visible' });
      assert.match(await titleError.textContent(), /unit\.nazwa/);
      assert.equal(await title.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByTestId('doc-preview').getAttribute('data-state'), 'invalid');

      // Fixed by inserting the placeholder at the cursor.
      await title.fill('Umowa E2E ');
      await title.press('End');
      const fixedPreview = page.waitForResponse((r) => r.url().endsWith('/api/staff/document-templates/preview') && r.status() === 200);
      await page.getByTestId('doc-placeholders').getByRole('button', { name: '{{ unit.name }}' }).click();
      assert.equal(await title.inputValue(), 'Umowa E2E {{ unit.name }}');
      await titleError.waitFor({ state: 'detached' });
      assert.equal((await (await fixedPreview).json()).title, 'Umowa E2E Gmina Suchy Las');
      await eventually(async () => (await page.getByTestId('doc-preview').getAttribute('data-state')) === 'ok', { message: 'the preview refreshed' });
      await screenshot(page, 'document-template-preview');

      await form.getByRole('button', { name: 'Zapisz', exact: true }).click();
      await eventually(async () => (await badge.textContent()).trim() === 'własny', { message: 'badge "własny" after save' });
      await page.reload();
      await form.getByRole('heading', { name: 'Szablon: umowa' }).waitFor();
      await eventually(async () => (await page.getByTestId('doc-template-badge').textContent()).trim() === 'własny', { message: '"własny" after reload' });
      assert.equal(await form.getByLabel('Tytuł (nazwa pliku)').inputValue(), 'Umowa E2E {{ unit.name }}');

      await form.getByRole('button', { name: 'Przywróć domyślny' }).click();
      await eventually(async () => (await page.getByTestId('doc-template-badge').textContent()).trim() === 'domyślny', { message: '"domyślny" after restore' });
      assert.equal(await form.getByLabel('Tytuł (nazwa pliku)').inputValue(), 'Umowa {{ contract.number }} – {{ unit.name }}');
    } catch (err) {
      await screenshot(page, 'document-templates-failure').catch(() => {});
      await apiFetch(page, '/api/staff/document-templates/contract', { method: 'DELETE' }).catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('generate a contract on a unit card, download it; a letter on a person card', { timeout: 180_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const suffix = cap(randomLetters(7));
      const unit = ok(
        await apiFetch(page, '/api/staff/units', {
          method: 'POST',
          body: { name: `Gmina Dokumentowa ${suffix}`, kind: 'gmina_wiejska', address: { street: 'ul. Rynek 1', postalCode: '62-035', city: 'Kórnik' } },
        }),
        'create unit',
      );
      const subject = `Obsługa prawna ${suffix}`;
      ok(
        await apiFetch(page, '/api/staff/contracts', {
          method: 'POST',
          body: { unitId: unit.id, subject, start: '2026-02-01', cycle: 'quarterly', timing: 'advance', priceNet: '3 600,00', vat: 'zw' },
        }),
        'create contract',
      );

      await page.goto(`${env.base}/#/crm/units/${unit.id}`);
      await page.getByTestId('unit-card').waitFor();
      await page.getByRole('tab', { name: 'Dokumenty' }).click();
      const tab = page.getByTestId('unit-documents');
      await tab.getByText('Brak wygenerowanych dokumentów.').waitFor();
      await tab.getByTestId('new-contract-document').click();
      const form = page.getByTestId('contract-document-form');
      await form.getByLabel('Umowa długoterminowa').selectOption({ label: `${subject} (2026-02-01)` });
      await form.getByLabel('Reprezentujący jednostkę').fill('Jan Kórnicki – Wójt Gminy');
      const [generated] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/staff/units/${unit.id}/documents/contract`)),
        form.getByRole('button', { name: 'Utwórz PDF' }).click(),
      ]);
      assert.equal(generated.status(), 201, await generated.text());
      const { document } = await generated.json();
      assert.match(document.number, /^UM\/\d{4}\/\d{4}$/);
      const row = tab.getByTestId('document-row').filter({ hasText: document.number });
      await row.waitFor();
      assert.match(await row.textContent(), new RegExp(`Gmina Dokumentowa ${suffix}`));
      await screenshot(page, 'unit-documents');

      // "Pobierz PDF": a 5-minute link, the browser downloads the PDF.
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('document-download').click()]);
      assert.match(download.suggestedFilename(), /^Umowa-UM-\d{4}-\d{4}-Gmina-Dokumentowa-/);
      const bytes = readFileSync(await download.path());
      assert.ok(bytes.subarray(0, 5).equals(Buffer.from('%PDF-')), 'the download is a PDF');
      assert.equal(bytes.length, document.sizeBytes);

      // The unit's contact history has the document.
      await page.goto(`${env.base}/#/crm/units/${unit.id}?tab=history`);
      await page.getByTestId('timeline').getByText(`Umowa: Umowa ${document.number}`).waitFor();

      // A letter to a person of the unit, from the person card.
      const person = ok(
        await apiFetch(page, '/api/staff/persons', { method: 'POST', body: { firstName: 'Łucja', lastName: `Pismowa${randomLetters(5)}`, unitId: unit.id, email: `e2e.${randomLetters(10)}@gmina-test.pl` } }),
        'create person',
      );
      await page.goto(`${env.base}/#/crm/persons/${person.id}?tab=documents`);
      const personTab = page.getByTestId('person-documents');
      await personTab.getByTestId('new-letter').click();
      const letter = page.getByTestId('letter-form');
      await letter.getByRole('button', { name: 'Utwórz PDF' }).click();
      await letter.getByText('To pole jest wymagane.').first().waitFor();
      await letter.getByLabel('Temat').fill(`Zaproszenie ${suffix}`);
      await letter.getByLabel('Treść').fill('Uprzejmie zapraszamy.\n\nDrugi akapit.');
      await letter.getByRole('button', { name: 'Utwórz PDF' }).click();
      await personTab.getByTestId('document-row').filter({ hasText: `Zaproszenie ${suffix}` }).waitFor();
      const listed = ok(await apiFetch(page, `/api/staff/units/${unit.id}/documents`), 'unit documents');
      assert.equal(listed.items.length, 2, 'the letter to the person is also the unit’s');
    } catch (err) {
      await screenshot(page, 'documents-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
