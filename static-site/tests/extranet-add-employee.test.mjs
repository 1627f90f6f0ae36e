// 2. Unit-admin A adds an employee in the extranet; staff then sees the person on unit A's card.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2eSuite, findInPagedList, login, logout, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

describe('extranet: a unit administrator adds an employee', () => {
  const suite = e2eSuite();

  test('the new employee is listed in the extranet and on the CRM unit card', { timeout: 150_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const suffix = randomLetters(7);
    const firstName = 'Testomir';
    const lastName = `Testowski${suffix[0].toUpperCase()}${suffix.slice(1)}`;
    const email = `e2e.${Date.now()}.${suffix}@example.com`;
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, adminA);
      assert.match(page.url(), /#\/ext\//, 'a unit administrator lands in the extranet');

      await page.getByRole('navigation').getByRole('link', { name: 'Dodaj pracownika' }).click();
      const form = page.getByRole('form', { name: 'Nowy pracownik' });
      await form.getByLabel('Imię').fill(firstName);
      await form.getByLabel('Nazwisko').fill(lastName);
      await form.getByLabel('Stanowisko').fill('inspektor ds. testów');
      await form.getByLabel('E-mail').fill(email);
      await form.getByLabel('Telefon').fill('+48 61 852 00 00');
      const unitSelect = form.getByLabel('Jednostka');
      if (await unitSelect.count()) await unitSelect.selectOption(adminA.unitId);
      await form.getByRole('button', { name: 'Dodaj', exact: true }).click();

      await page.waitForURL(/#\/ext\/persons(\?|$)/);
      await findInPagedList(page.locator('main'), lastName);

      await logout(page);
      await login(page, env.base, staff);
      await page.goto(`${env.base}/#/crm/units/${encodeURIComponent(adminA.unitId)}`);
      await page.getByTestId('unit-card').waitFor();
      const personsTab = page.getByRole('tab', { name: 'Osoby' });
      assert.equal(await personsTab.getAttribute('aria-selected'), 'true');
      const row = await findInPagedList(page.getByRole('tabpanel'), lastName);
      assert.match(await row.textContent(), new RegExp(lastName));
    } catch (err) {
      await screenshot(page, 'extranet-add-employee-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
