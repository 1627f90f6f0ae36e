// 5. Trainings: staff open a one-seat training for recruitment; unit-admin A enrols two
// colleagues in the extranet (one seat, one waiting list), cancels the first; the second is
// promoted; the staff training card shows the cancellation, the promoted person and 1/1 seats.
// The admin's "Zapisy" page downloads the CSV export; the staff unit card's "Szkolenia" tab
// counts the unit's persons sent in the training's year and lists the enrolments.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, login, logout, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

describe('trainings: waiting list and promotion', () => {
  const suite = e2eSuite();

  test('a cancellation promotes the waiting colleague; staff see it on the card', { timeout: 600_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const motoUrl = process.env.E2E_MOTO_URL;
    assert.ok(motoUrl, 'E2E_MOTO_URL (the emulator, whose mail store holds sent e-mails) is not set: run through ./scripts/test');
    const suffix = randomLetters(6);
    const cap = (s) => s[0].toUpperCase() + s.slice(1);
    const title = `Szkolenie testowe ${cap(suffix)}`;
    const { context, page } = await newPage(browser);
    try {
      // Staff: a training with one seat, moved to recruiting through the card's phase button.
      await login(page, env.base, staff);
      const venues = ok(await apiFetch(page, '/api/staff/venues'), 'venues');
      let venue = venues.find((v) => v.capacity >= 1);
      if (!venue) {
        venue = ok(
          await apiFetch(page, '/api/staff/venues', {
            method: 'POST',
            body: { name: 'Sala testowa', capacity: 20, latitude: '52.4', longitude: '16.9', address: { city: 'Poznań' } },
          }),
          'create venue',
        );
      }
      const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      const training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: { kind: 'EDU-OPEN', title, sessions: [{ date: day, start: '09:00', end: '15:00' }], venueId: venue.id, capacity: 1, priceNet: '100,00', vat: 'zw' },
        }),
        'create training',
      );
      await page.goto(`${env.base}/#/crm/trainings/${training.id}`);
      await page.getByTestId('training-card').waitFor();
      await page.getByRole('button', { name: 'Rozpocznij rekrutację' }).click();
      await page.getByTestId('phase').filter({ hasText: 'rekrutacja' }).first().waitFor();
      await logout(page);

      // Unit-admin A: two new colleagues, enrolled together through the training page.
      await login(page, env.base, adminA);
      const people = [];
      for (const n of ['Adam', 'Beata']) {
        const lastName = `Kursant${cap(randomLetters(5))}`;
        const email = `e2e.tr.${Date.now()}.${suffix}.${n.toLowerCase()}@example.com`;
        const p = ok(
          await apiFetch(page, '/api/extranet/persons', {
            method: 'POST',
            body: { firstName: n, lastName, email, unitId: adminA.unitId },
          }),
          'create person',
        );
        people.push({ id: (p.person || p).id, name: `${n} ${lastName}`, email });
      }
      await page.getByRole('navigation').getByRole('link', { name: 'Szkolenia' }).click();
      // The offers list shows free seats from the list itself (no request per offer).
      const offer = page.getByTestId('offer').filter({ has: page.getByRole('link', { name: title }) });
      assert.equal((await offer.getByTestId('offer-seats').textContent()).trim(), 'wolne miejsca: 1');
      await page.getByRole('link', { name: title }).click();
      const form = page.getByRole('form', { name: 'Zapisz pracowników' });
      for (const p of people) await form.getByRole('checkbox', { name: p.name }).check();
      await form.getByRole('button', { name: /Zapisz pracowników/ }).click();
      const results = page.getByTestId('enrol-results');
      await results.waitFor();
      const outcomeOf = async (p) => (await results.locator(`li[data-person="${p.id}"]`).getByTestId('outcome').textContent()).trim();
      const outcomes = [await outcomeOf(people[0]), await outcomeOf(people[1])];
      assert.deepEqual([...outcomes].sort(), ['lista rezerwowa', 'zapisany'], `outcomes: ${outcomes}`);
      const seated = outcomes[0] === 'zapisany' ? people[0] : people[1];
      const waiting = seated === people[0] ? people[1] : people[0];
      await screenshot(page, 'trainings-ext-enrolled');

      // The admin cancels the seated colleague on the same page; the waiting one moves up.
      const list = page.getByTestId('training-enrolments');
      const seatedRow = list.locator(`tr[data-person="${seated.id}"]`);
      await seatedRow.getByRole('button', { name: 'Anuluj zapis' }).click();
      await seatedRow.getByLabel('Powód (opcjonalnie)').fill('choroba');
      await seatedRow.getByRole('button', { name: 'Potwierdź anulowanie' }).click();
      await eventually(async () => (await list.locator(`tr[data-person="${seated.id}"]`).getByTestId('enrolment-status').textContent()) === 'anulowany', { message: 'cancelled status' });
      await eventually(async () => (await list.locator(`tr[data-person="${waiting.id}"]`).getByTestId('enrolment-status').textContent()) === 'zapisany', { message: 'promoted status' });

      // "Zapisy": the training's title comes with each enrolment; "Pobierz CSV" saves a file.
      await page.getByRole('navigation').getByRole('link', { name: 'Zapisy' }).click();
      const rows = page.getByTestId('ext-enrolments').locator(`tr[data-person="${waiting.id}"]`);
      await rows.first().waitFor();
      assert.match(await rows.first().getByTestId('enrolment-training').textContent(), new RegExp(title));
      await screenshot(page, 'trainings-ext-enrolments');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Pobierz CSV' }).click()]);
      assert.equal(download.suggestedFilename(), 'zapisy.csv');
      const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
      assert.ok(csv.startsWith('Osoba;Szkolenie;Od;Do;Miejsce;Status;Zapisano\r\n'), `CSV header: ${JSON.stringify(csv.slice(0, 80))}`);
      assert.match(csv, new RegExp(`${waiting.name};${title};${day};${day};`));
      await logout(page);

      // The promotion e-mail reaches the local mail store (outbox → queue → notifications →
      // SES); the first send compiles the notifications function, hence the long wait.
      const promotionMail = async () => {
        const data = await (await fetch(`${motoUrl}/moto-api/data.json`)).json();
        return (data.ses?.Message || []).find(
          (m) => (m.destinations?.ToAddresses || []).includes(waiting.email) && m.subject.startsWith('Zwolniło się miejsce'),
        );
      };
      await eventually(async () => Boolean(await promotionMail()), { message: 'promotion e-mail', timeout: 360_000, interval: 2_000 });
      assert.match((await promotionMail()).body, new RegExp(waiting.name));

      // Staff: the card shows the cancellation, the promoted person enrolled and seats 1/1.
      await login(page, env.base, staff);
      await page.goto(`${env.base}/#/crm/trainings/${training.id}`);
      await page.getByTestId('training-card').waitFor();
      assert.equal((await page.getByTestId('seats').textContent()).trim(), 'zajęte 1 / 1');
      const enrolled = page.getByTestId('enrolled-list');
      await enrolled.locator(`tr[data-person="${waiting.id}"]`).waitFor();
      assert.equal(await enrolled.locator(`tr[data-person="${waiting.id}"]`).getByTestId('enrolment-status').textContent(), 'zapisany');
      const cancelled = page.getByTestId('cancelled-list');
      await cancelled.locator(`tr[data-person="${seated.id}"]`).waitFor();
      assert.match(await cancelled.locator(`tr[data-person="${seated.id}"]`).textContent(), /choroba/);
      assert.equal(await page.getByTestId('waiting-list').locator('tr[data-person]').count(), 0);
      await screenshot(page, 'trainings-staff-card');

      // Staff: unit A's card, tab "Szkolenia": persons sent in the training's year (the promoted
      // colleague counts, the cancelled one does not) and the enrolments with the training.
      const stats = ok(await apiFetch(page, `/api/staff/units/${adminA.unitId}/enrolments`), 'unit enrolments');
      const year = day.slice(0, 4);
      assert.ok(stats.perYear[year] >= 1, `perYear: ${JSON.stringify(stats.perYear)}`);
      await page.goto(`${env.base}/#/crm/units/${adminA.unitId}`);
      await page.getByTestId('unit-card').waitFor();
      await page.getByRole('tab', { name: 'Szkolenia' }).click();
      const perYear = page.getByTestId('unit-per-year');
      await perYear.waitFor();
      assert.equal((await perYear.locator(`tr[data-year="${year}"]`).getByTestId('per-year-count').textContent()).trim(), String(stats.perYear[year]));
      const unitRow = page.getByTestId('unit-enrolments').locator(`tr[data-person="${waiting.id}"][data-training="${training.id}"]`);
      await unitRow.waitFor();
      assert.equal(await unitRow.getByRole('link', { name: title }).getAttribute('href'), `#/crm/trainings/${training.id}`);
      assert.equal((await unitRow.getByTestId('enrolment-status').textContent()).trim(), 'zapisany');
      await screenshot(page, 'trainings-unit-card');
    } catch (err) {
      await screenshot(page, 'trainings-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
