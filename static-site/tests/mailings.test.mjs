// 10. Mailings ("Wysyłki"):
// (a) staff build a segment — every gmina of one powiat (the powiat criterion + the three gmina
//     kinds) — and see the API's recipient count; an unknown placeholder in the subject is
//     reported under "Temat" as it is typed (the live preview) and when saving; the live
//     preview renders the unsaved form for one person; saved, the card previews one recipient's message
//     (their unit's name in the subject, their name in the text); "Rozpocznij wysyłkę" asks
//     with the count; the progress bar reaches 100 % (the mailer relay sends for real against
//     the emulator) and the SES event simulator's deliveries arrive; a recipient's row leads
//     to the person card, whose contact history shows the e-mail sent (and delivered) and
//     whose "Wysyłki" tab answers "sent when, delivered when".
// (b) the link in another recipient's e-mail (read back from the emulator's mail store) opens
//     the public unsubscribe page without signing in; "Wypisz mnie" → confirmation; the person
//     card shows the unsubscription.
// (c) the unsubscribe page with a bad token (and with none) says the link is invalid.
// (d) an invitation from the training card ("Wysyłki" → "Nowe zaproszenie": kind, training and
//     its invited list prefilled) to two invited persons whose addresses are SES mailbox
//     simulator ones (one bounces, one is opened and clicked): the training's lookup answers
//     "did they get it" for each; the bounced address is on "Blokady wysyłki"; unit-admin A
//     sees the bounce under "Do poprawy" with a link to the person.
// (e) staff take the bounced address off "Blokady wysyłki" — TODO: the API answers 404 to
//     DELETE /api/staff/suppressions/{email} when the address is percent-encoded (%40 for "@",
//     as every client encodes a path parameter): the route does not decode the segment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, items, login, logout, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Warsaw' });

async function someVenue(page) {
  const venues = ok(await apiFetch(page, '/api/staff/venues'), 'venues');
  const venue = venues.find((v) => v.capacity >= 10);
  if (venue) return venue;
  return ok(await apiFetch(page, '/api/staff/venues', { method: 'POST', body: { name: 'Sala testowa', capacity: 40, latitude: '52.4064', longitude: '16.9252', address: { city: 'Poznań' } } }), 'create venue');
}

/** Pick `name` in a PersonSearch labelled `label` inside `scope`. */
async function pickPerson(scope, label, name) {
  await scope.getByLabel(label, { exact: true }).fill(name);
  await scope.getByRole('list', { name: label }).getByRole('button', { name: new RegExp(`^${name}`) }).first().click();
}
/** A small powiat (three gminy, a handful of demo persons, every one with an address). */
const POWIAT = '3029'; // wolsztyński
const GMINA_KINDS = ['gmina miejska', 'gmina wiejska', 'gmina miejsko-wiejska'];
const GMINA_CODES = ['gmina_miejska', 'gmina_wiejska', 'gmina_miejsko_wiejska'];

// Shared between the tests of (a) and (b): the mailing sent in (a).
const sent = {};

describe('mailings', () => {
  const suite = e2eSuite();

  test('staff: segment of one powiat → count → save → preview → start → 100 % → recipient history', { timeout: 420_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const powiat = ok(await apiFetch(page, '/api/staff/powiaty'), 'powiaty').find((p) => p.teryt === POWIAT);
      assert.ok(powiat, `powiat ${POWIAT} in the register`);
      const audience = { source: 'units', units: { criteria: { powiaty: [POWIAT], unitKinds: GMINA_CODES } } };
      const expected = ok(await apiFetch(page, '/api/staff/mailings/audience', { method: 'POST', body: { audience } }), 'audience preview');
      assert.ok(expected.total > 0, `the gminy of powiat ${powiat.name} have persons with e-mail addresses`);
      assert.equal(expected.units, 3, 'three gminy');

      const name = `Newsletter e2e ${cap(randomLetters(7))}`;
      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Wysyłki' }).click();
      await page.waitForURL(/#\/crm\/mailings$/);
      await page.getByRole('heading', { name: 'Wysyłki', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Nowa wysyłka' }).click();
      await page.waitForURL(/#\/crm\/mailings\/new/);

      const form = page.getByTestId('mailing-form');
      await form.getByRole('textbox', { name: /^Nazwa\b(?! nadawcy)/ }).fill(name);
      assert.equal(await form.getByLabel('Rodzaj', { exact: true }).inputValue(), 'newsletter');
      assert.match(await form.getByLabel('Adres nadawcy').inputValue(), /@/, 'the default sender is filled in');
      assert.ok(await form.getByRole('radio', { name: 'jednostki według kryteriów' }).isChecked());
      const count = form.getByTestId('audience-count');

      // The segment: the powiat and the gmina kinds; the live count follows.
      await form.getByTestId('invited-powiaty').getByRole('checkbox', { name: powiat.name, exact: true }).check();
      for (const kind of GMINA_KINDS) await form.getByTestId('invited-kinds').getByRole('checkbox', { name: kind, exact: true }).check();
      await eventually(async () => Number(await count.getAttribute('data-total')) === expected.total, { message: `recipient count ${expected.total}` });
      assert.match(await form.getByTestId('audience-preview').textContent(), /w jednostkach: 3/);
      await form.getByTestId('audience-sample').getByRole('link', { name: expected.sample[0].name, exact: true }).first().waitFor();

      // The subject names the recipient's unit; a misspelt placeholder is caught as it is typed
      // (by the live preview) and again when saving.
      const subject = form.getByLabel('Temat', { exact: true });
      await subject.fill('Newsletter dla {{ unit.nazwa }}');
      const subjectError = form.getByTestId('field-error-subject');
      await subjectError.waitFor();
      assert.match(await subjectError.textContent(), /unit\.nazwa/, 'the error names the unknown placeholder');
      const live = form.getByTestId('mailing-form-preview');
      assert.equal(await live.getAttribute('aria-busy'), 'false');
      await form.getByRole('button', { name: 'Zapisz szkic' }).click();
      await subjectError.waitFor();
      assert.equal(await subject.getAttribute('aria-invalid'), 'true');
      assert.match(page.url(), /#\/crm\/mailings\/new/, 'nothing saved');
      await subject.fill('Newsletter dla ');
      await subject.press('End');
      await page.getByTestId('placeholders').getByRole('button', { name: '{{ unit.name }}' }).click();
      assert.equal(await subject.inputValue(), 'Newsletter dla {{ unit.name }}');
      // The live preview renders the unsaved form for one person of the audience.
      const first = expected.sample[0];
      await live.getByLabel('Podgląd dla').selectOption({ label: `${first.name} — ${first.email}` });
      await eventually(async () => (await live.getByTestId('preview-subject').textContent()).trim() === `Newsletter dla ${first.unitName}`, { message: 'the live preview of the unsaved subject' });
      assert.equal(await subjectError.count(), 0, 'the fixed subject has no error');
      await screenshot(page, 'mailing-compose');
      await form.getByRole('button', { name: 'Zapisz szkic' }).click();
      await page.waitForURL(/#\/crm\/mailings\/(?!new)[^/?]+$/);
      const card = page.getByTestId('mailing-card');
      await card.getByRole('heading', { name, level: 1 }).waitFor();
      assert.equal(await card.getByTestId('mailing-status').first().getAttribute('data-status'), 'draft');
      const mailingId = page.url().split('/').pop();
      await eventually(async () => Number(await card.getByTestId('audience-count').getAttribute('data-total')) === expected.total, { message: 'the draft counts the same audience' });

      // A preview for one recipient of the sample.
      const someone = expected.sample[expected.sample.length - 1];
      const preview = page.getByTestId('mailing-preview');
      await preview.getByLabel('Podgląd dla').selectOption({ label: `${someone.name} — ${someone.email}` });
      await eventually(async () => (await preview.getByTestId('preview-subject').textContent()).trim() === `Newsletter dla ${someone.unitName}`, { message: "the subject with the recipient's unit" });
      assert.match(await preview.getByTestId('preview-text').textContent(), new RegExp(`Dzień dobry ${someone.name}`));

      // Start: the confirmation names the count; then the progress reaches 100 %.
      const dialog = new Promise((resolve) =>
        page.once('dialog', async (d) => {
          resolve(d.message());
          await d.accept();
        }),
      );
      await card.getByTestId('mailing-start').click();
      assert.match(await dialog, new RegExp(`do ${expected.total} odbiorc`));
      const progress = card.getByTestId('mailing-progress');
      await progress.waitFor();
      await eventually(async () => (await progress.getAttribute('data-percent')) === '100', { message: 'progress 100 %', timeout: 180_000, interval: 500 });
      assert.equal((await card.getByTestId('mailing-percent').textContent()).trim(), '100 %');
      await card.getByTestId('mailing-status').filter({ hasText: 'zakończona' }).first().waitFor({ timeout: 60_000 });
      const view = ok(await apiFetch(page, `/api/staff/mailings/${mailingId}`), 'mailing');
      assert.equal(view.progress.total, expected.total);
      assert.equal(view.progress.sent + view.progress.unsubscribed + view.progress.suppressed, expected.total, 'every recipient processed');
      // The SES simulator delivers what the emulator recorded; the page keeps reading progress.
      await eventually(async () => Number(await card.getByTestId('count-delivered').textContent()) === view.progress.sent, {
        message: 'every sent message delivered',
        timeout: 120_000,
        interval: 1_000,
      });
      await screenshot(page, 'mailing-sent');

      // One sent recipient's row → the person card → the e-mail in the contact history.
      const recipients = items(ok(await apiFetch(page, `/api/staff/mailings/${mailingId}/recipients?status=sent`), 'recipients'));
      assert.ok(recipients.length >= 1, 'sent recipients');
      const [who, other] = [recipients[0], recipients[recipients.length - 1]];
      Object.assign(sent, { mailingId, name, other, who });
      const row = card.locator(`[data-testid="recipient-row"][data-person="${who.personId}"]`);
      await row.getByTestId('recipient-outcome').filter({ hasText: 'doręczono' }).waitFor({ timeout: 30_000 });
      assert.match(await row.getByTestId('delivery-times').textContent(), /wysłano .*doręczono/s);
      await row.getByRole('link', { name: `${who.firstName} ${who.lastName}` }).click();
      await page.waitForURL(new RegExp(`#/crm/persons/${who.personId}`));
      await page.getByTestId('person-card').waitFor();
      // The send is an "e-mail" event with the message's subject; SES's delivery follows it.
      const subjectSent = `Newsletter dla ${who.unitName}`;
      const timeline = page.getByTestId('timeline');
      await eventually(
        async () => {
          await timeline.waitFor();
          const email = timeline.locator('li.event-email', { hasText: subjectSent });
          const delivered = timeline.locator('li.event-email_delivered', { hasText: subjectSent });
          if ((await email.count()) > 0 && (await delivered.count()) > 0) return true;
          await page.reload();
          await page.getByTestId('person-card').waitFor();
          return false;
        },
        { message: 'the sent and delivered e-mail in the contact history', timeout: 60_000, interval: 1_000 },
      );
      const sentEvent = timeline.locator('li.event-email', { hasText: subjectSent }).first();
      assert.match(await sentEvent.textContent(), new RegExp(`${name}.*${who.email.replace(/[.]/g, '\\.')}`, 's'), 'the event names the mailing and the address');
      assert.match(await timeline.locator('li.event-email_delivered', { hasText: subjectSent }).first().textContent(), /e-mail doręczony/);

      // "Wysyłki" on the card: sent when, delivered when.
      await page.getByRole('tab', { name: 'Wysyłki' }).click();
      await page.waitForURL(/tab=mailings/);
      const mine = page.getByTestId('person-mailings').locator(`tr[data-mailing="${mailingId}"]`);
      await mine.getByRole('link', { name }).waitFor();
      assert.match(await mine.getByTestId('delivery-times').textContent(), /wysłano .*doręczono/s);
      assert.equal(await mine.getByTestId('recipient-outcome').getAttribute('data-outcome'), 'delivered');
      await screenshot(page, 'mailing-person');
    } catch (err) {
      await screenshot(page, 'mailing-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('the unsubscribe link of a sent newsletter works without signing in', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const motoUrl = process.env.E2E_MOTO_URL;
    assert.ok(motoUrl, 'E2E_MOTO_URL (the emulator, whose mail store holds sent e-mails) is not set: run through ./scripts/test');
    assert.ok(sent.other, 'the mailing of the previous test was sent');
    const { context, page } = await newPage(browser);
    try {
      const data = await (await fetch(`${motoUrl}/moto-api/data.json`)).json();
      const mail = (data.ses?.Message || []).find((m) => (m.destinations?.ToAddresses || []).includes(sent.other.email) && m.subject === `Newsletter dla ${sent.other.unitName}`);
      assert.ok(mail, `the newsletter to ${sent.other.email} in the mail store`);
      const token = /unsubscribe\?token=([A-Za-z0-9._~%-]+)/.exec(mail.body)?.[1];
      assert.ok(token, 'the message links the unsubscribe page');

      await page.goto(`${env.base}/#/unsubscribe?token=${token}`);
      const box = page.getByTestId('unsubscribe-page');
      await box.getByRole('heading', { name: 'Rezygnacja z wiadomości WOKiSS' }).waitFor();
      assert.equal(await page.getByTestId('current-user').count(), 0, 'not signed in');
      await box.getByRole('button', { name: 'Wypisz mnie' }).click();
      await box.getByTestId('unsubscribe-done').waitFor();
      assert.match(await box.getByTestId('unsubscribe-done').textContent(), /Wypisano|był już wypisany/);

      await login(page, env.base, staff);
      await page.goto(`${env.base}/#/crm/persons/${sent.other.personId}?tab=mailings`);
      const state = page.getByTestId('subscription');
      await state.waitFor();
      assert.equal(await state.getAttribute('data-subscribed'), 'false');
      assert.match(await state.textContent(), /wypisał\(a\) się/);
    } catch (err) {
      await screenshot(page, 'unsubscribe-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('the unsubscribe page says a bad link is invalid', { timeout: 60_000 }, async () => {
    const { env, browser } = suite();
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${env.base}/#/unsubscribe?token=to-nie-jest-dobry-token`);
      const box = page.getByTestId('unsubscribe-page');
      await box.getByRole('button', { name: 'Wypisz mnie' }).click();
      await box.getByTestId('unsubscribe-invalid').waitFor();
      assert.match(await box.getByTestId('unsubscribe-invalid').textContent(), /nieprawidłowy lub wygasł/);
      await page.goto(`${env.base}/#/unsubscribe`);
      await page.getByTestId('unsubscribe-invalid').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Wypisz mnie' }).count(), 0, 'no button without a token');
    } catch (err) {
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('an invitation from the training card: lookup per person, bounce → suppression list and the unit\'s "Do poprawy"', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    page.on('dialog', (d) => d.accept());
    try {
      await login(page, env.base, staff);
      const suffix = randomLetters(7);
      const persons = {};
      for (const [key, first, last, email] of [
        ['bounced', 'Bartosz', `Odbity${cap(suffix)}`, `bounce+e2e${suffix}@simulator.amazonses.com`],
        ['clicked', 'Celina', `Klikająca${cap(suffix)}`, `success+click${suffix}@simulator.amazonses.com`],
      ]) {
        const created = ok(await apiFetch(page, '/api/staff/persons', { method: 'POST', body: { firstName: first, lastName: last, email, unitId: adminA.unitId, position: 'Sekretarz' } }), 'create person');
        persons[key] = { id: (created.person || created).id, name: `${first} ${last}`, email };
      }
      const venue = await someVenue(page);
      const title = `Zaproszenie e2e ${cap(suffix)}`;
      const training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: { kind: 'EDU-OPEN', title, sessions: [{ date: isoDay(45), start: '09:00', end: '15:00' }], venueId: venue.id, capacity: 20, priceNet: '200,00', vat: 'zw' },
        }),
        'create training',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}`, { method: 'PATCH', body: { invited: { personIds: [persons.bounced.id, persons.clicked.id] }, version: training.version } }), 'invite the two');

      // The training card's "Wysyłki" → "Nowe zaproszenie": the compose form is prefilled.
      await page.goto(`${env.base}/#/crm/trainings/${training.id}`);
      await page.getByTestId('training-card').waitFor();
      await page.getByRole('tab', { name: 'Wysyłki' }).click();
      await page.waitForURL(/tab=mailings/);
      const tab = page.getByTestId('training-mailings');
      await tab.getByText('Do tego szkolenia nie było jeszcze wysyłek.').waitFor();
      await tab.getByRole('link', { name: 'Nowe zaproszenie' }).click();
      await page.waitForURL(/#\/crm\/mailings\/new\?trainingId=/);
      const form = page.getByTestId('mailing-form');
      const nameField = form.getByRole('textbox', { name: /^Nazwa\b(?! nadawcy)/ });
      await eventually(async () => (await nameField.inputValue()) === `Zaproszenie: ${title}`, { message: 'the name prefilled' });
      assert.equal(await form.getByLabel('Rodzaj', { exact: true }).inputValue(), 'invitation');
      await eventually(async () => (await form.getByLabel('Szkolenie', { exact: true }).inputValue()) === training.id, { message: 'the training chosen' });
      assert.ok(await form.getByRole('radio', { name: 'lista zaproszonych szkolenia' }).isChecked());
      await eventually(async () => (await form.getByTestId('audience-count').getAttribute('data-total')) === '2', { message: 'two invited recipients' });
      await form.getByLabel('Temat', { exact: true }).fill('Zaproszenie: {{ training.title }} ({{ training.dates }})');
      await form.getByRole('button', { name: 'Zapisz szkic' }).click();
      await page.waitForURL(/#\/crm\/mailings\/(?!new)[^/?]+$/);
      const mailingId = page.url().split('/').pop();
      const card = page.getByTestId('mailing-card');
      await card.getByTestId('mailing-start').click();
      await card.getByTestId('mailing-status').filter({ hasText: 'zakończona' }).first().waitFor({ timeout: 120_000 });
      // One bounces, the other is delivered, opened and clicked (the SES simulator's addresses).
      await eventually(async () => (await card.getByTestId('count-bounced').textContent()) === '1' && (await card.getByTestId('count-opened').textContent()) === '1', {
        message: 'one bounce and one open reported',
        timeout: 120_000,
        interval: 1_000,
      });
      await card.locator(`[data-testid="recipient-row"][data-person="${persons.bounced.id}"]`).getByTestId('recipient-outcome').filter({ hasText: 'odrzucono' }).waitFor();
      await screenshot(page, 'mailing-invitation');

      // "Czy otrzymał(a) zaproszenie?" on the training card, for each of them.
      await page.goto(`${env.base}/#/crm/trainings/${training.id}?tab=mailings`);
      await tab.getByRole('link', { name: `Zaproszenie: ${title}` }).waitFor();
      const lookup = page.getByTestId('invitation-lookup');
      await pickPerson(lookup, 'Osoba', persons.clicked.name);
      const answer = lookup.getByTestId('lookup-answer');
      await answer.locator(`tr[data-mailing="${mailingId}"]`).waitFor();
      assert.match(await answer.getByTestId('delivery-times').textContent(), /wysłano .*doręczono .*otwarto .*kliknięto/s);
      assert.equal(await answer.getByTestId('recipient-outcome').getAttribute('data-outcome'), 'clicked');
      await pickPerson(lookup, 'Osoba', persons.bounced.name);
      await eventually(async () => (await answer.getByTestId('recipient-outcome').getAttribute('data-outcome').catch(() => null)) === 'bounced', { message: 'the bounced one' });
      assert.match(await answer.getByTestId('delivery-times').textContent(), /wysłano .*odrzucono/s);
      await screenshot(page, 'mailing-lookup');

      // The bounced address is on the suppression list; staff take it off.
      await page.goto(`${env.base}/#/crm/mailings`);
      await page.getByTestId('mailings-nav').getByRole('link', { name: 'Blokady wysyłki' }).click();
      await page.waitForURL(/#\/crm\/mailings\/suppressions$/);
      const row = page.locator(`tr[data-email="${persons.bounced.email}"]`);
      await row.waitFor();
      assert.match(await row.textContent(), /trwałe odrzucenie/);
      await row.getByRole('link', { name: 'Osoba' }).waitFor();
      await screenshot(page, 'mailing-suppressions');
      sent.suppressed = persons.bounced.email;

      // Unit-admin A: "Do poprawy" on the home page names the person and links the record.
      await logout(page);
      await login(page, env.base, adminA);
      const tasks = page.getByTestId('unit-tasks');
      await tasks.waitFor();
      const task = tasks.getByTestId('unit-task').filter({ hasText: persons.bounced.name });
      await task.waitFor();
      assert.match(await task.textContent(), /jest odrzucany — popraw go/);
      await screenshot(page, 'mailing-ext-tasks');
      await task.getByRole('link').click();
      await page.waitForURL(new RegExp(`#/ext/persons/${persons.bounced.id}`));
      await page.getByRole('heading', { name: persons.bounced.name }).waitFor();
    } catch (err) {
      await screenshot(page, 'mailing-invitation-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test(
    'staff take an address off the suppression list',
    { timeout: 60_000 },
    async () => {
      const { env, browser } = suite();
      const { staff } = pickUsers(env.users);
      assert.ok(sent.suppressed, 'an address was suppressed by the previous test');
      const { context, page } = await newPage(browser);
      page.on('dialog', (d) => d.accept());
      try {
        await login(page, env.base, staff);
        await page.goto(`${env.base}/#/crm/mailings/suppressions`);
        const row = page.locator(`tr[data-email="${sent.suppressed}"]`);
        await row.getByRole('button', { name: 'Zdejmij blokadę' }).click();
        await page.getByTestId('toast').filter({ hasText: `Zdjęto blokadę adresu ${sent.suppressed}` }).waitFor({ timeout: 10_000 });
        await row.waitFor({ state: 'detached' });
      } catch (err) {
        throw withDiagnostics(page, err);
      } finally {
        await context.close();
      }
    },
  );
});
