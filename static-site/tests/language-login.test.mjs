// 4. PL/EN switch changes the navigation (and is remembered); a wrong password shows a Polish error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2eSuite, login, newPage, pickUsers, screenshot, withDiagnostics } from './helpers.mjs';

describe('language switch and sign-in errors', () => {
  const suite = e2eSuite();

  test('a wrong password shows a Polish error and keeps the user on the sign-in page', { timeout: 60_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${env.base}/`);
      await page.getByLabel('E-mail').fill(staff.username || staff.email);
      await page.getByLabel('Hasło').fill(`${staff.password}-wrong`);
      await page.getByRole('button', { name: 'Zaloguj się' }).click();
      const alert = page.getByTestId('login-error');
      await alert.waitFor();
      assert.match(await alert.textContent(), /Nieprawidłowy e-mail lub hasło/);
      assert.equal(await page.getByTestId('current-user').count(), 0, 'not signed in');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('ewokiss.session')), null, 'no tokens stored');
    } catch (err) {
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('PL → EN changes the navigation labels and is remembered', { timeout: 90_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const navPl = page.getByRole('navigation', { name: 'Nawigacja główna' });
      await navPl.getByRole('link', { name: 'Jednostki' }).waitFor();
      await navPl.getByRole('link', { name: 'Zadania' }).waitFor();

      await page.getByRole('button', { name: 'EN', exact: true }).click();
      const navEn = page.getByRole('navigation', { name: 'Main navigation' });
      await navEn.getByRole('link', { name: 'Units' }).waitFor();
      await navEn.getByRole('link', { name: 'Tasks' }).waitFor();
      assert.equal(await navEn.getByRole('link', { name: 'Jednostki' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 1);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

      await page.reload();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Units' }).waitFor();

      await page.getByRole('button', { name: 'PL', exact: true }).click();
      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Jednostki' }).waitFor();
    } catch (err) {
      await screenshot(page, 'language-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
