// 7. Training card, tabs "Zaproszeni" and "Uczestnicy":
// (a) staff build an invited list (a powiat + members only) → the live preview counts the
//     units the API selects and lists a known one; a unit of another powiat is added by hand;
//     a bad distance is reported at its field; save → reload → the saved list (criteria in
//     words, the hand-picked unit, the resolved units); a concurrent change of the training
//     makes the next save report the conflict, and saving again succeeds.
// (b) a training whose two sessions are behind us (dates moved into the past through the API
//     after enrolling three persons): "Zakończ szkolenie" is refused while attendance is not
//     marked; staff tick attendance per session (one person misses the second session), then
//     complete the training: statuses read obecny / obecny / nieobecny.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, items, login, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Warsaw' });

/** A venue to hold the training (the demo data has some; otherwise one is created). */
async function someVenue(page) {
  const venues = ok(await apiFetch(page, '/api/staff/venues'), 'venues');
  const venue = venues.find((v) => v.capacity >= 10);
  if (venue) return venue;
  return ok(
    await apiFetch(page, '/api/staff/venues', {
      method: 'POST',
      body: { name: 'Sala testowa', capacity: 40, latitude: '52.4064', longitude: '16.9252', address: { city: 'Poznań' } },
    }),
    'create venue',
  );
}

/** "12 jednostek" → 12 */
async function countIn(locator) {
  const text = (await locator.textContent()) || '';
  const m = /(\d+)/.exec(text);
  return m ? Number(m[1]) : NaN;
}

describe('training card: invited list and attendance', () => {
  const suite = e2eSuite();

  test('staff build, preview and save an invited list', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      // The known unit: unit-admin A's own unit; the criteria are its powiat and its membership.
      const known = ok(await apiFetch(page, `/api/staff/units/${adminA.unitId}`), 'known unit');
      assert.ok(known.powiatTeryt, `the known unit ${known.name} has a powiat`);
      const powiaty = ok(await apiFetch(page, '/api/staff/powiaty'), 'powiaty');
      const powiat = powiaty.find((p) => p.teryt === known.powiatTeryt);
      const criteria = { powiaty: [powiat.teryt], membersOnly: !!known.isMember };
      const venue = await someVenue(page);
      const expected = ok(await apiFetch(page, `/api/staff/invited/preview?venueId=${venue.id}`, { method: 'POST', body: { criteria } }), 'preview').units;
      assert.ok(
        expected.some((u) => u.id === known.id),
        `${known.name} is selected by its own powiat and membership`,
      );
      // A unit of another powiat, added by hand.
      const other = powiaty.find((p) => p.teryt !== powiat.teryt && p.teryt.startsWith('30'));
      const candidates = items(ok(await apiFetch(page, `/api/staff/units?powiat=${other.teryt}`), 'units of another powiat'));
      const hand = candidates.find((u) => !expected.some((x) => x.id === u.id) && !u.parentId) || candidates[0];
      assert.ok(hand, `a unit in powiat ${other.name}`);

      const title = `Zaproszenia ${cap(randomLetters(6))}`;
      const training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: { kind: 'EDU-OPEN', title, sessions: [{ date: isoDay(40), start: '09:00', end: '15:00' }], venueId: venue.id, capacity: 20, priceNet: '200,00', vat: 'zw' },
        }),
        'create training',
      );

      await page.goto(`${env.base}/#/crm/trainings/${training.id}`);
      await page.getByTestId('training-card').waitFor();
      await page.getByRole('tab', { name: 'Zaproszeni' }).click();
      await page.waitForURL(/tab=invited/);
      const saved = page.getByTestId('invited-saved');
      await saved.waitFor();
      assert.match(await saved.getByTestId('invited-criteria').textContent(), /Bez kryteriów/);
      assert.equal((await saved.getByTestId('invited-count').textContent()).trim(), '0 jednostek');

      // Criteria: the powiat and the membership; the preview follows.
      const form = page.getByTestId('invited-form');
      await form.getByTestId('invited-powiaty').getByRole('checkbox', { name: powiat.name, exact: true }).check();
      await form.getByRole('radio', { name: known.isMember ? 'tylko członkowie' : 'tylko niebędące członkami' }).check();
      const preview = page.getByTestId('invited-preview');
      const previewCount = preview.getByTestId('invited-preview-count');
      await eventually(async () => (await countIn(previewCount)) === expected.length, { message: `preview count ${expected.length}` });
      assert.ok(expected.length > 0);
      const knownLink = preview.getByTestId('invited-preview-units').getByRole('link', { name: known.name, exact: true });
      await knownLink.waitFor();
      assert.equal(await knownLink.getAttribute('href'), `#/crm/units/${known.id}`);

      // A bad distance is named at its field (422 of the preview); clearing it removes the error.
      const distanceLabel = 'Maks. odległość od miejsca szkolenia (km)';
      const distance = form.getByLabel(distanceLabel);
      await distance.fill('daleko');
      const distanceError = form.locator('.field', { has: page.getByLabel(distanceLabel) }).getByTestId('field-error');
      await distanceError.waitFor();
      assert.match(await distanceError.textContent(), /Odległość w km musi być liczbą większą od zera/);
      await distance.fill('');
      await distanceError.waitFor({ state: 'detached' });

      // A unit added by hand through the unit search.
      const handFieldset = form.getByTestId('invited-hand-units-edit');
      await handFieldset.getByLabel('Dodaj jednostkę').fill(hand.name);
      await handFieldset
        .getByRole('list', { name: 'Dodaj jednostkę' })
        .getByRole('button', { name: new RegExp(`^${escapeRe(hand.name)}`) })
        .first()
        .click();
      await handFieldset.locator('.picked-chips li', { hasText: hand.name }).waitFor();
      const total = expected.length + (expected.some((u) => u.id === hand.id) ? 0 : 1);
      await eventually(async () => (await countIn(previewCount)) === total, { message: `preview count ${total} with the hand-picked unit` });
      await preview.getByRole('link', { name: hand.name, exact: true }).first().waitFor();
      await screenshot(page, 'invited-editor');

      // Save; then reload the page: the saved list is shown in words.
      const [patch] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/staff/trainings/${training.id}`)),
        form.getByRole('button', { name: 'Zapisz listę zaproszonych' }).click(),
      ]);
      assert.equal(patch.status(), 200, await patch.text());
      await page.getByTestId('toast').filter({ hasText: 'Zapisano listę zaproszonych.' }).waitFor();
      await page.reload();
      await saved.waitFor();
      const criteriaText = await saved.getByTestId('invited-criteria').textContent();
      assert.match(criteriaText, new RegExp(`Powiaty:\\s*${escapeRe(powiat.name)}`));
      assert.match(criteriaText, known.isMember ? /tylko członkowie WOKiSS/ : /tylko jednostki niebędące członkami/);
      await eventually(async () => (await countIn(saved.getByTestId('invited-count'))) === total, { message: `saved count ${total}` });
      await saved.getByTestId('invited-hand-units').getByRole('link', { name: hand.name, exact: true }).waitFor();
      assert.equal(await saved.getByTestId('invited-units').getByRole('link', { name: known.name, exact: true }).getAttribute('href'), `#/crm/units/${known.id}`);
      await saved.getByTestId('invited-units').getByRole('link', { name: hand.name, exact: true }).first().waitFor();
      // The editor starts from the saved list.
      assert.ok(await form.getByTestId('invited-powiaty').getByRole('checkbox', { name: powiat.name, exact: true }).isChecked());
      assert.ok(await form.getByRole('radio', { name: known.isMember ? 'tylko członkowie' : 'tylko niebędące członkami' }).isChecked());
      const stored = ok(await apiFetch(page, `/api/staff/trainings/${training.id}/invited`), 'stored invited list');
      assert.deepEqual(stored.invited.criteria.powiaty, [powiat.teryt]);
      assert.equal(stored.invited.criteria.membersOnly, !!known.isMember);
      assert.deepEqual(stored.invited.unitIds, [hand.id]);
      await screenshot(page, 'invited-saved');

      // Someone else changes the training meanwhile: the save reports the conflict and reloads;
      // the second attempt (now on the current version) goes through.
      const card = ok(await apiFetch(page, `/api/staff/trainings/${training.id}`), 'card');
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}`, { method: 'PATCH', body: { description: 'Zmienione w innej karcie.', version: card.training.version } }), 'concurrent edit');
      await form.getByTestId('invited-segments').getByRole('checkbox', { name: 'EDU', exact: true }).check();
      await form.getByRole('button', { name: 'Zapisz listę zaproszonych' }).click();
      await page.getByTestId('invited-notice').filter({ hasText: 'zmienione przez kogoś innego' }).waitFor();
      assert.ok(await form.getByTestId('invited-segments').getByRole('checkbox', { name: 'EDU', exact: true }).isChecked(), 'the unsaved choice survives the conflict');
      await page.getByText('Zmienione w innej karcie.').waitFor();
      const [retry] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/staff/trainings/${training.id}`)),
        form.getByRole('button', { name: 'Zapisz listę zaproszonych' }).click(),
      ]);
      assert.equal(retry.status(), 200, await retry.text());
      await saved
        .getByTestId('invited-criteria')
        .filter({ hasText: /Segmenty.*EDU/ })
        .waitFor();
      await page.getByTestId('invited-notice').waitFor({ state: 'detached' });
    } catch (err) {
      await screenshot(page, 'invited-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('staff mark attendance per session and complete the training', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const suffix = randomLetters(6);
      const people = [];
      for (const first of ['Alicja', 'Bogdan', 'Cezary']) {
        const lastName = `Obecny${cap(randomLetters(5))}`;
        const p = ok(
          await apiFetch(page, '/api/staff/persons', {
            method: 'POST',
            body: { firstName: first, lastName, unitId: adminA.unitId, email: `e2e.att.${Date.now()}.${suffix}.${first.toLowerCase()}@example.com` },
          }),
          'create person',
        );
        people.push({ id: (p.person || p).id, name: `${first} ${lastName}` });
      }
      // A training planned ahead (so it can open for recruitment), three persons enrolled, then
      // its two sessions moved to the last two days and the training started.
      const venue = await someVenue(page);
      const title = `Obecność ${cap(suffix)}`;
      let training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: {
            kind: 'EDU-OPEN',
            title,
            sessions: [
              { date: isoDay(20), start: '09:00', end: '13:00' },
              { date: isoDay(21), start: '09:00', end: '13:00' },
            ],
            venueId: venue.id,
            capacity: 10,
            priceNet: '300,00',
            vat: 'zw',
            attendanceRule: 'all_sessions',
          },
        }),
        'create training',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'recruiting' } }), 'open recruitment');
      const enrolled = ok(await apiFetch(page, `/api/staff/trainings/${training.id}/enrolments`, { method: 'POST', body: { personIds: people.map((p) => p.id) } }), 'enrol');
      assert.deepEqual(
        enrolled.map((r) => r.outcome),
        ['enrolled', 'enrolled', 'enrolled'],
      );
      training = ok(await apiFetch(page, `/api/staff/trainings/${training.id}`), 'card').training;
      const past = [isoDay(-2), isoDay(-1)];
      ok(
        await apiFetch(page, `/api/staff/trainings/${training.id}`, {
          method: 'PATCH',
          body: {
            sessions: past.map((date) => ({ date, start: '09:00', end: '13:00' })),
            enrolmentDeadline: '',
            cancellationDeadline: '',
            version: training.version,
          },
        }),
        'move the sessions into the past',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'running' } }), 'start');

      await page.goto(`${env.base}/#/crm/trainings/${training.id}`);
      await page.getByTestId('training-card').waitFor();
      await page.getByTestId('phase').filter({ hasText: 'w trakcie' }).first().waitFor();
      const list = page.getByTestId('enrolled-list');
      const box = (person, session) => list.locator(`tr[data-person="${person.id}"] label[data-session="${session}"] input[type=checkbox]`);
      for (const p of people) {
        for (const s of [0, 1]) assert.equal(await box(p, s).evaluate((el) => el.indeterminate && !el.checked), true, `${p.name}, session ${s}: shown as not marked yet`);
      }

      // Completing before attendance is marked is refused, with the reason.
      await page.getByRole('button', { name: 'Zakończ szkolenie' }).click();
      const phaseError = page.getByTestId('phase-error');
      await phaseError.waitFor();
      assert.match(await phaseError.textContent(), /Najpierw zaznacz obecność wszystkich uczestników na wszystkich zajęciach/);
      assert.equal((await page.getByTestId('phase').first().textContent()).trim(), 'w trakcie');

      // Tick attendance; each tick is saved at once. Cezary misses the second session: his box
      // is ticked and unticked again (unticked = absent; never ticked = not marked).
      const tick = async (person, session, checked) => {
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/staff/trainings/${training.id}/attendance`)),
          checked ? box(person, session).check() : box(person, session).uncheck(),
        ]);
        assert.equal(res.status(), 200, `attendance of ${person.name}, session ${session}: ${await res.text()}`);
        const sent = res.request().postDataJSON();
        assert.deepEqual(sent, { personId: person.id, session, present: checked });
      };
      const [alicja, bogdan, cezary] = people;
      await tick(alicja, 0, true);
      await tick(alicja, 1, true);
      await tick(bogdan, 0, true);
      await tick(bogdan, 1, true);
      await tick(cezary, 0, true);
      await tick(cezary, 1, true);
      await tick(cezary, 1, false);
      assert.equal(await box(cezary, 1).evaluate((el) => el.indeterminate || el.checked), false, 'absent shows as an empty box');
      await screenshot(page, 'attendance-marked');

      // The marks are stored: they survive a reload.
      await page.reload();
      await list.locator(`tr[data-person="${cezary.id}"]`).waitFor();
      assert.ok(await box(alicja, 1).isChecked());
      assert.equal(await box(cezary, 1).evaluate((el) => el.indeterminate || el.checked), false);
      assert.ok(await box(cezary, 0).isChecked());

      await page.getByRole('button', { name: 'Zakończ szkolenie' }).click();
      await page.getByTestId('phase').filter({ hasText: 'zakończone' }).first().waitFor();
      assert.equal(await page.getByTestId('phase-error').count(), 0);
      const statusOf = (p) => list.locator(`tr[data-person="${p.id}"]`).getByTestId('enrolment-status');
      await eventually(async () => (await statusOf(alicja).textContent()) === 'obecny', { message: 'Alicja attended' });
      assert.equal(await statusOf(bogdan).textContent(), 'obecny');
      assert.equal(await statusOf(cezary).textContent(), 'nieobecny');
      const card = ok(await apiFetch(page, `/api/staff/trainings/${training.id}`), 'card after completion');
      assert.equal(card.training.phase, 'completed');
      const statuses = Object.fromEntries(card.enrolments.map((e) => [e.personId, e.status]));
      assert.deepEqual([statuses[alicja.id], statuses[bogdan.id], statuses[cezary.id]], ['attended', 'attended', 'absent']);
      await screenshot(page, 'attendance-completed');
    } catch (err) {
      await screenshot(page, 'attendance-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
