// 8. Unit coordinates: staff give a unit's office coordinates in the unit form. An out-of-range
// latitude is reported under "Szerokość geogr."; valid ones (decimal commas) are saved and the
// card shows them with an OpenStreetMap link. The PATCH carries the pair only when it changed;
// both fields emptied clear the coordinates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, login, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

describe('unit coordinates', () => {
  const suite = e2eSuite();

  test('staff set, see and clear a unit office coordinates', { timeout: 180_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const name = `Gmina Współrzędna ${randomLetters(6)}`;
      const unit = ok(await apiFetch(page, '/api/staff/units', { method: 'POST', body: { kind: 'gmina_wiejska', name } }), 'create unit');
      const url = `/api/staff/units/${unit.id}`;
      const patches = [];
      page.on('request', (r) => {
        if (r.method() === 'PATCH' && r.url().endsWith(url)) patches.push(r.postDataJSON());
      });
      const save = async (form) => {
        const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(url)), form.getByRole('button', { name: 'Zapisz' }).click()]);
        return res.status();
      };

      await page.goto(`${env.base}/#/crm/units/${unit.id}`);
      await page.getByTestId('unit-card').waitFor();
      assert.equal((await page.getByTestId('unit-coordinates').textContent()).trim(), '—');

      // Out of range: the API's message under the field.
      await page.getByRole('button', { name: 'Edytuj' }).click();
      const form = page.getByTestId('unit-form');
      await form.getByLabel('Szerokość geogr.').fill('95');
      await form.getByLabel('Długość geogr.').fill('16,9252');
      assert.equal(await save(form), 422);
      const latField = form.locator('.field', { has: page.getByLabel('Szerokość geogr.') });
      assert.match(await latField.getByTestId('field-error').textContent(), /Szerokość geograficzna: liczba od -90 do 90/);
      assert.equal(
        await form
          .locator('.field', { has: page.getByLabel('Długość geogr.') })
          .getByTestId('field-error')
          .count(),
        0,
      );

      await form.getByLabel('Szerokość geogr.').fill('52,4064');
      assert.equal(await save(form), 200);
      await form.waitFor({ state: 'detached' });
      assert.equal((await page.getByTestId('unit-coordinates').locator('.mono').textContent()).trim(), '52,4064; 16,9252');
      const map = page.getByTestId('unit-map-link');
      assert.match(await map.getAttribute('href'), /^https:\/\/www\.openstreetmap\.org\/\?mlat=52\.4064&mlon=16\.9252#map=14\/52\.4064\/16\.9252$/);
      await screenshot(page, 'unit-coordinates');
      const stored = ok(await apiFetch(page, url), 'unit');
      assert.deepEqual(stored.coordinates, { latitude: '52.4064', longitude: '16.9252' });

      // Another field changed: the coordinates are not sent again.
      await page.getByRole('button', { name: 'Edytuj' }).click();
      await form.getByLabel('Telefon').fill('+48 61 000 11 22');
      assert.equal(await save(form), 200);
      await form.waitFor({ state: 'detached' });
      const last = patches[patches.length - 1];
      assert.equal(last.latitude, undefined, JSON.stringify(last));
      assert.equal(last.longitude, undefined, JSON.stringify(last));
      assert.equal(last.phone, '+48 61 000 11 22');

      // Both emptied: cleared.
      await page.getByRole('button', { name: 'Edytuj' }).click();
      await form.getByLabel('Szerokość geogr.').fill('');
      await form.getByLabel('Długość geogr.').fill('');
      assert.equal(await save(form), 200);
      await form.waitFor({ state: 'detached' });
      assert.deepEqual([patches[patches.length - 1].latitude, patches[patches.length - 1].longitude], ['', '']);
      assert.equal((await page.getByTestId('unit-coordinates').textContent()).trim(), '—');
      assert.equal(ok(await apiFetch(page, url), 'unit').coordinates, undefined);
    } catch (err) {
      await screenshot(page, 'unit-coordinates-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
