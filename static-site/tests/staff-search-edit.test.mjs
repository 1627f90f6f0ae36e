// 1. Staff: search "zolk" (diacritic-insensitive) → open Żółkiewski → edit "Telefon" → save →
//    reload → the new phone is shown. Leaves a screenshot in static-site/test-results/.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { digits, e2eSuite, eventually, login, newPage, pickUsers, screenshot, withDiagnostics } from './helpers.mjs';

describe('staff CRM: search and edit a person', () => {
  const suite = e2eSuite();

  test('"zolk" finds Żółkiewski; the edited phone survives a reload', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      assert.match(page.url(), /#\/crm\//, 'staff lands in the CRM');

      const search = page.getByRole('combobox', { name: 'Szukaj jednostek i osób' });
      await search.fill('zolk');
      const option = page.getByRole('option').filter({ hasText: 'Żółkiewski' }).first();
      await option.waitFor({ state: 'visible' });
      await option.click();
      await page.waitForURL(/#\/crm\/persons\/[^/?]+/);
      const heading = page.getByTestId('person-name');
      await heading.waitFor();
      assert.match(await heading.textContent(), /Żółkiewski/);

      const newPhone = `+48 601 ${100 + Math.floor(Math.random() * 900)} ${100 + Math.floor(Math.random() * 900)}`;
      await page.getByRole('button', { name: 'Edytuj', exact: true }).click();
      const form = page.getByRole('form', { name: 'Edycja danych osoby' });
      await form.getByLabel('Telefon', { exact: true }).fill(newPhone);
      await form.getByRole('button', { name: 'Zapisz', exact: true }).click();
      await form.waitFor({ state: 'detached' });

      const phone = page.getByTestId('person-phone');
      await eventually(async () => digits(await phone.textContent()) === digits(newPhone), { message: `phone ${newPhone} after save` });

      await page.reload();
      await phone.waitFor();
      await eventually(async () => digits(await phone.textContent()) === digits(newPhone), { message: `phone ${newPhone} after reload` });
      assert.match(await page.getByTestId('person-name').textContent(), /Żółkiewski/);

      const shot = await screenshot(page, 'staff-person-card');
      console.log(`screenshot: ${shot}`);
    } catch (err) {
      await screenshot(page, 'staff-person-card-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
