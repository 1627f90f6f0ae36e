// 3. Unit-admin A cannot see a person of unit B: neither in the UI nor through the API.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, items, login, logout, newPage, pickUsers, screenshot, withDiagnostics } from './helpers.mjs';

describe('extranet: scoping to the own unit', () => {
  const suite = e2eSuite();

  test('admin A gets "Brak dostępu"/"Nie znaleziono" for a person of unit B', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA, adminB } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      // a person of unit B, looked up with the staff token
      await login(page, env.base, staff);
      const r = await apiFetch(page, `/api/staff/units/${encodeURIComponent(adminB.unitId)}/persons`);
      assert.equal(r.status, 200, `staff lists persons of unit B: ${r.status} ${r.text}`);
      const other = items(r.body).find((p) => p.id && p.lastName);
      assert.ok(other, 'unit B has at least one person');
      await logout(page);

      await login(page, env.base, adminA);
      const me = await apiFetch(page, '/api/extranet/me');
      assert.equal(me.status, 200, `GET /api/extranet/me: ${me.status} ${me.text}`);
      const mine = [me.body.unit && me.body.unit.id, ...(me.body.subUnits || []).map((u) => u.id)];
      assert.ok(!mine.includes(adminB.unitId), 'precondition: unit B is not within admin A\'s units');

      await page.goto(`${env.base}/#/ext/persons/${encodeURIComponent(other.id)}`);
      const errorPage = page.getByTestId('error-page');
      await errorPage.waitFor();
      const title = (await errorPage.getByRole('heading').first().textContent()).trim();
      assert.ok(['Brak dostępu', 'Nie znaleziono'].includes(title), `error page title: ${title}`);
      const body = await page.locator('main').textContent();
      assert.ok(!body.includes(other.lastName), 'no data of the person is shown');
      if (other.email) assert.ok(!body.includes(other.email), 'no e-mail of the person is shown');

      const direct = await apiFetch(page, `/api/extranet/persons/${encodeURIComponent(other.id)}`);
      assert.ok([403, 404].includes(direct.status), `GET the person directly: ${direct.status} ${direct.text}`);
      assert.ok(!direct.text.includes(other.lastName), 'the API error carries no data of the person');

      const patch = await apiFetch(page, `/api/extranet/persons/${encodeURIComponent(other.id)}`, { method: 'PATCH', body: { phone: '+48 61 000 00 00', version: other.version } });
      assert.ok([403, 404].includes(patch.status), `PATCH the person directly: ${patch.status} ${patch.text}`);
    } catch (err) {
      await screenshot(page, 'extranet-scope-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
