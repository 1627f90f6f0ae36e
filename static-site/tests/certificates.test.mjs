// 14. Certificates (zaświadczenia):
// staff complete a training (its session moved into the past through the API; attendance ticked
//     on the card: four present — two new persons and the demo participant of unit A, one person
//     of unit B — and one absent) → the card's "Zaświadczenia" fills in as the queued generation
//     runs: one certificate per attendee, none for the absentee, each mailed; "Pobierz PDF" on
//     the card downloads a PDF, "Pobierz ZIP" all four; "Wygeneruj ponownie" leaves four;
// (a) the e-mail to a holder (read from the emulator's mail store) links the app: the link,
//     opened in a browser that is not signed in (its origin rewritten to the site under test),
//     answers with the PDF; the demo participant finds it under "Moje szkolenia" → "Moje
//     zaświadczenia" and downloads it;
// (b) unit-admin A: "Zaświadczenia" → the training lists A's three certificates only → "Pobierz
//     ZIP" gives a ZIP of exactly three PDFs;
// (c) the public #/verify page (no login) confirms the real code (number, holder, training,
//     dates) also when typed in lower case without dashes, and rejects a made-up code;
// (d) names changed after issue: a surname changed by staff re-issues the certificate by itself
//     (version 2 on the card after "Odśwież"); "Korekta" with the record unchanged shows the
//     API's 422 at the name; a surname changed by unit-admin A in the extranet re-issues it by
//     itself too: version 2 with the same number, the versions list shows both names, the person
//     card's "Szkolenia" lists version 2 with its download, and the verification page shows the
//     new name.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, login, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Warsaw' });
const plDate = (iso) => iso.split('-').reverse().join('.');
const NUMBER = /^ZAS\/\d{6}\/\d{4}$/;
const CODE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

/** What the steps share: the training, its persons and certificates. */
const shared = {};

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

/** Run `action` and return the file the browser downloads because of it. */
async function downloaded(page, action, timeout = 60_000) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), action()]);
  const failure = await download.failure();
  assert.equal(failure, null, `the download of ${download.url()} failed: ${failure}`);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()), url: download.url() };
}

/** A page whose diagnostics also keep the body of any 5xx answer (what failed, not only where). */
async function openPage(browser) {
  const opened = await newPage(browser);
  opened.page.on('response', async (r) => {
    if (r.status() >= 500) opened.page.diagnostics.push(`HTTP ${r.status()} body: ${(await r.text().catch(() => '')).slice(0, 500)}`);
  });
  return opened;
}

const isPdf = (bytes) => bytes.subarray(0, 5).toString('latin1') === '%PDF-';

/**
 * The entries of a ZIP: walked from its local file headers (PK\x03\x04, each followed by its
 * data) and checked against the central directory's count and names.
 */
function zipEntries(buf) {
  const entries = [];
  let at = 0;
  while (at + 30 <= buf.length && buf.readUInt32LE(at) === 0x04034b50) {
    const flags = buf.readUInt16LE(at + 6);
    assert.equal(flags & 0x08, 0, 'sizes in the local headers (no data descriptors)');
    const size = buf.readUInt32LE(at + 18);
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    const name = buf.subarray(at + 30, at + 30 + nameLen).toString('utf8');
    const start = at + 30 + nameLen + extraLen;
    entries.push({ name, data: buf.subarray(start, start + size) });
    at = start + size;
  }
  assert.equal(buf.readUInt32LE(at), 0x02014b50, 'the central directory follows the last entry');
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd > 0, 'an end of central directory record');
  assert.equal(buf.readUInt16LE(eocd + 10), entries.length, 'the central directory counts every local header');
  return entries;
}

/** The last message to `address` whose subject is `subject`, from the emulator's mail store. */
async function mailTo(motoUrl, address, subject) {
  const data = await (await fetch(`${motoUrl}/moto-api/data.json`)).json();
  const messages = (data.ses && data.ses.Message) || [];
  return messages.filter((m) => ((m.destinations && m.destinations.ToAddresses) || []).includes(address) && m.subject === subject).pop();
}

/** An e-mail's HTML body as a mail client reads it (the template escapes `/`, `=` and `&`). */
function unescapeHtml(body) {
  return String(body || '')
    .replace(/&#x2f;/gi, '/')
    .replace(/&#x3d;/gi, '=')
    .replace(/&amp;/g, '&');
}

/** The certificate link of an e-mail body. */
function certificateLink(body) {
  const text = unescapeHtml(body);
  const m = /(https?:\/\/[^\s"'<>]*\/api\/extranet\/public\/certificates\/download\?token=[A-Za-z0-9._~%-]+)/.exec(text);
  return m && m[1];
}

describe('certificates', () => {
  const suite = e2eSuite();

  test('staff complete a training with attendance: one certificate per attendee appears on the card', { timeout: 600_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA, adminB, participant } = pickUsers(env.users);
    assert.ok(participant && participant.personId, 'E2E_USERS has the demo participant with a personId');
    assert.equal(participant.unitId, adminA.unitId, "the demo participant works in unit-admin A's unit");
    const { context, page } = await openPage(browser);
    try {
      await login(page, env.base, staff);
      const suffix = randomLetters(6);
      const people = {};
      for (const [key, first, unitId] of [
        ['alicja', 'Alicja', adminA.unitId],
        ['bogdan', 'Bogdan', adminA.unitId],
        ['cezary', 'Cezary', adminA.unitId],
        ['dorota', 'Dorota', adminB.unitId],
      ]) {
        const lastName = `Świadek${cap(randomLetters(5))}`;
        const email = `e2e.cert.${Date.now()}.${suffix}.${key}@example.com`;
        const p = ok(await apiFetch(page, '/api/staff/persons', { method: 'POST', body: { firstName: first, lastName, unitId, email } }), 'create person');
        people[key] = { id: (p.person || p).id, name: `${first} ${lastName}`, email, unitId };
      }
      const katarzyna = ok(await apiFetch(page, `/api/staff/persons/${participant.personId}`), 'the demo participant');
      people.katarzyna = { id: participant.personId, name: `${katarzyna.firstName} ${katarzyna.lastName}`, email: katarzyna.email, unitId: katarzyna.unitId };
      const order = ['alicja', 'bogdan', 'cezary', 'dorota', 'katarzyna'];

      // Planned ahead, enrolled, the session moved to yesterday, started (as the billing test does).
      const venue = await someVenue(page);
      const title = `Zaświadczenia ${cap(suffix)}`;
      let training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: { kind: 'EDU-OPEN', title, sessions: [{ date: isoDay(20), start: '09:00', end: '13:00' }], venueId: venue.id, capacity: 10, priceNet: '0,00', vat: 'zw', attendanceRule: 'all_sessions' },
        }),
        'create training',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'recruiting' } }), 'open recruitment');
      const enrolled = ok(await apiFetch(page, `/api/staff/trainings/${training.id}/enrolments`, { method: 'POST', body: { personIds: order.map((k) => people[k].id) } }), 'enrol');
      assert.deepEqual(
        enrolled.map((r) => r.outcome),
        order.map(() => 'enrolled'),
      );
      training = ok(await apiFetch(page, `/api/staff/trainings/${training.id}`), 'card').training;
      const day = isoDay(-1);
      ok(
        await apiFetch(page, `/api/staff/trainings/${training.id}`, {
          method: 'PATCH',
          body: { sessions: [{ date: day, start: '09:00', end: '13:00' }], enrolmentDeadline: '', cancellationDeadline: '', version: training.version },
        }),
        'move the session into the past',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'running' } }), 'start');

      // Before completion the tab says when certificates come.
      await page.goto(`${env.base}/#/crm/trainings/${training.id}?tab=certificates`);
      await page.getByTestId('certificates-not-yet').waitFor();

      // Attendance on the card: Cezary's box is ticked and unticked (absent), the others present.
      await page.getByRole('tab', { name: 'Uczestnicy' }).click();
      const list = page.getByTestId('enrolled-list');
      const box = (key) => list.locator(`tr[data-person="${people[key].id}"] label[data-session="0"] input[type=checkbox]`);
      const tick = async (key, checked) => {
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/staff/trainings/${training.id}/attendance`)),
          checked ? box(key).check() : box(key).uncheck(),
        ]);
        assert.equal(res.status(), 200, `attendance of ${people[key].name}: ${await res.text()}`);
      };
      for (const key of order) await tick(key, true);
      await tick('cezary', false);
      await page.getByRole('button', { name: 'Zakończ szkolenie' }).click();
      await page.getByTestId('phase').filter({ hasText: 'zakończone' }).first().waitFor();

      // "Zaświadczenia": the generation queued by the completion fills the list in.
      await page.getByRole('tab', { name: 'Zaświadczenia' }).click();
      const tab = page.getByTestId('training-certificates');
      const progress = tab.getByTestId('certificates-progress');
      await progress.waitFor();
      assert.equal(await progress.getAttribute('data-expected'), '4', 'four attended');
      await eventually(
        async () => {
          if ((await progress.getAttribute('data-issued')) === '4') return true;
          // The tab re-reads by itself for a few minutes; a cold certificates function may take longer.
          if (!(await tab.getByTestId('certificates-generating').isVisible().catch(() => false))) await tab.getByRole('button', { name: 'Odśwież' }).click();
          return false;
        },
        { timeout: 420_000, interval: 2000, message: 'four certificates on the card' },
      );
      assert.equal((await progress.textContent()).trim(), 'Wystawiono 4 z 4 zaświadczeń.');
      const rows = tab.getByTestId('certificate-row');
      assert.equal(await rows.count(), 4);
      const certs = ok(await apiFetch(page, `/api/staff/trainings/${training.id}/certificates`), 'certificates');
      assert.equal(certs.length, 4);
      const byPerson = Object.fromEntries(certs.map((c) => [c.personId, c]));
      assert.equal(byPerson[people.cezary.id], undefined, 'no certificate for the absentee');
      for (const key of ['alicja', 'bogdan', 'dorota', 'katarzyna']) {
        const c = byPerson[people[key].id];
        assert.ok(c, `${people[key].name} has a certificate`);
        assert.match(c.number, NUMBER);
        assert.match(c.code, CODE);
        assert.equal(c.holderName, people[key].name);
        assert.equal(c.version, 1);
        const row = tab.locator(`tr[data-certificate="${c.id}"]`);
        assert.equal((await row.getByTestId('certificate-number').textContent()).trim(), c.number);
        assert.equal((await row.getByTestId('certificate-holder').textContent()).trim(), people[key].name);
        assert.equal((await row.getByTestId('certificate-version').textContent()).trim(), '1');
        // Issuing writes the e-mail in the same transaction.
        assert.match(await row.getByTestId('certificate-mailed').textContent(), /^wysłano /);
      }
      assert.equal(await tab.locator(`tr[data-person="${people.cezary.id}"]`).count(), 0);
      await screenshot(page, 'certificates-card');

      // "Pobierz PDF" on the card: a 5-minute link, the browser downloads the PDF.
      const alicjaCert = byPerson[people.alicja.id];
      const pdf = await downloaded(page, () => tab.locator(`tr[data-certificate="${alicjaCert.id}"]`).getByTestId('certificate-download').click());
      assert.ok(isPdf(pdf.bytes), `a PDF from the card (${pdf.name})`);
      assert.equal(pdf.name, `${alicjaCert.number.replaceAll('/', '-')}.pdf`);

      // Staff's "Pobierz ZIP": every certificate of the training.
      const all = await downloaded(page, () => tab.getByTestId('certificates-zip').click());
      assert.equal(zipEntries(all.bytes).length, 4, 'the staff ZIP holds the four certificates');

      // "Wygeneruj ponownie" queues the training again: who has a certificate is skipped.
      await tab.getByTestId('certificates-regenerate').click();
      await page.getByTestId('toast').filter({ hasText: 'Zlecono generowanie zaświadczeń.' }).waitFor();
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(ok(await apiFetch(page, `/api/staff/trainings/${training.id}/certificates`), 'certificates again').length, 4, 'still four');
      await tab.getByRole('button', { name: 'Odśwież' }).click();
      await eventually(async () => (await progress.getAttribute('data-issued')) === '4' && (await rows.count()) === 4, { message: 'still four on the card' });

      Object.assign(shared, { training, title, day, people, byPerson });
    } catch (err) {
      await screenshot(page, 'certificates-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('(a) the link in the e-mail gives the PDF without signing in; the participant downloads it from "Moje szkolenia"', { timeout: 180_000 }, async () => {
    const { env, browser } = suite();
    const { participant } = pickUsers(env.users);
    assert.ok(shared.training, 'the training of the first step has certificates');
    const motoUrl = process.env.E2E_MOTO_URL;
    assert.ok(motoUrl, 'E2E_MOTO_URL (the emulator, whose mail store holds sent e-mails) is not set: run through ./scripts/test');
    const { people, byPerson, title } = shared;
    const { context, page } = await openPage(browser);
    try {
      // The notifications function sends the e-mail through the outbox relay.
      const mail = await eventually(() => mailTo(motoUrl, people.alicja.email, `Zaświadczenie: ${title}`), { timeout: 120_000, interval: 1000, message: `the certificate e-mail to ${people.alicja.email}` });
      assert.ok(unescapeHtml(mail.body).includes(byPerson[people.alicja.id].number), 'the e-mail names the certificate number');
      const link = certificateLink(mail.body);
      assert.ok(link, 'the e-mail links the certificate');
      // The stack's APP_URL may name another port than the site under test: keep path and query.
      const sent = new URL(link);
      const local = new URL(sent.pathname + sent.search, env.base).toString();

      const file = await downloaded(page, () => page.goto(local).catch(() => {}));
      assert.equal(await page.getByTestId('current-user').count(), 0, 'not signed in');
      assert.ok(isPdf(file.bytes), `the link gives a PDF (${file.name}, ${file.bytes.length} bytes)`);
      assert.equal(file.name, `${byPerson[people.alicja.id].number.replaceAll('/', '-')}.pdf`);
      // The app answers with a redirect to a fresh short-lived link, which serves application/pdf.
      const redirect = await context.request.get(local, { maxRedirects: 0 });
      assert.equal(redirect.status(), 302, 'the app redirects to a fresh link');
      assert.match(redirect.headers().location || '', /X-Amz-Signature=/i, 'a presigned link');
      const final = await context.request.get(local);
      assert.equal(final.status(), 200);
      assert.match(final.headers()['content-type'] || '', /^application\/pdf/);
      assert.ok(isPdf(await final.body()), 'the body starts with %PDF');
      // A tampered link is refused.
      const tampered = new URL(local);
      tampered.searchParams.set('token', `${tampered.searchParams.get('token').slice(0, -2)}xx`);
      const refused = await context.request.get(tampered.toString(), { maxRedirects: 0 });
      assert.equal(refused.status(), 400);

      // The demo participant: "Moje szkolenia" → "Moje zaświadczenia".
      await login(page, env.base, participant);
      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Moje szkolenia' }).click();
      const mine = page.getByTestId('my-certificates');
      await mine.getByRole('heading', { name: 'Moje zaświadczenia' }).waitFor();
      const own = byPerson[people.katarzyna.id];
      const row = mine.locator(`tr[data-certificate="${own.id}"]`);
      await row.waitFor();
      assert.equal((await row.getByTestId('certificate-number').textContent()).trim(), own.number);
      assert.match(await row.getByTestId('certificate-training').textContent(), new RegExp(`^${title}${plDate(shared.day).replace(/\./g, '\\.')}`));
      const ownPdf = await downloaded(page, () => row.getByTestId('certificate-download').click());
      assert.ok(isPdf(ownPdf.bytes), 'the participant downloads the PDF');
      // Someone else's certificate is not the participant's to download.
      const other = await apiFetch(page, `/api/extranet/certificates/${byPerson[people.alicja.id].id}/download`);
      assert.equal(other.status, 404);
      await screenshot(page, 'certificates-mine');
    } catch (err) {
      await screenshot(page, 'certificates-link-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test("(b) unit-admin A downloads the training's ZIP: A's three certificates", { timeout: 180_000 }, async () => {
    const { env, browser } = suite();
    const { adminA } = pickUsers(env.users);
    assert.ok(shared.training, 'the training of the first step has certificates');
    const { people, byPerson, training, title } = shared;
    const { context, page } = await openPage(browser);
    try {
      await login(page, env.base, adminA);
      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Zaświadczenia' }).click();
      const screen = page.getByTestId('unit-certificates');
      const block = screen.locator(`[data-testid="unit-certificates-training"][data-training="${training.id}"]`);
      await block.getByRole('heading', { name: title }).waitFor();
      assert.match(await block.textContent(), /Obecnych: 3/);
      if ((await block.getByTestId('unit-certificates-toggle').getAttribute('aria-expanded')) !== 'true') await block.getByTestId('unit-certificates-toggle').click();
      const rows = block.getByTestId('certificate-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 3);
      const ours = ['alicja', 'bogdan', 'katarzyna'].map((k) => byPerson[people[k].id]);
      for (const c of ours) await block.locator(`tr[data-certificate="${c.id}"]`).waitFor();
      assert.equal(await block.locator(`tr[data-person="${people.dorota.id}"]`).count(), 0, "unit B's person is not listed");

      const zip = await downloaded(page, () => block.getByTestId('unit-certificates-zip').click());
      assert.match(zip.name, /\.zip$/);
      assert.equal(zip.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a ZIP');
      const entries = zipEntries(zip.bytes);
      assert.equal(entries.length, 3, `three entries: ${entries.map((e) => e.name).join(', ')}`);
      for (const c of ours) {
        const entry = entries.find((e) => e.name === `${c.holderName} ${c.number.replaceAll('/', '-')}.pdf`);
        assert.ok(entry, `${c.holderName}'s certificate in the ZIP (${entries.map((e) => e.name).join(', ')})`);
        assert.ok(isPdf(entry.data), `${entry.name} is a PDF`);
      }
      // Unit B's certificate is not A's, by id either.
      const foreign = await apiFetch(page, `/api/extranet/certificates/${byPerson[people.dorota.id].id}/download`);
      assert.equal(foreign.status, 404);
      await screenshot(page, 'certificates-unit');
    } catch (err) {
      await screenshot(page, 'certificates-zip-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('(c) the verification page confirms the real code and rejects a made-up one', { timeout: 120_000 }, async () => {
    const { env, browser } = suite();
    assert.ok(shared.training, 'the training of the first step has certificates');
    const { people, byPerson, title, day } = shared;
    const cert = byPerson[people.bogdan.id];
    const { context, page } = await openPage(browser);
    try {
      await page.goto(`${env.base}/#/verify/${cert.code}`);
      const box = page.getByTestId('verify-page');
      await box.getByTestId('verify-valid').waitFor();
      assert.equal(await page.getByTestId('current-user').count(), 0, 'not signed in');
      assert.equal((await box.getByTestId('verify-number').textContent()).trim(), cert.number);
      assert.equal((await box.getByTestId('verify-holder').textContent()).trim(), people.bogdan.name);
      assert.equal((await box.getByTestId('verify-training').textContent()).trim(), title);
      assert.equal((await box.getByTestId('verify-dates').textContent()).trim(), plDate(day));

      // Typed by hand: lower case, no dashes.
      await box.getByLabel('Kod weryfikacyjny').fill(cert.code.replaceAll('-', '').toLowerCase());
      await box.getByRole('button', { name: 'Sprawdź' }).click();
      await page.waitForURL((u) => u.hash === `#/verify/${cert.code}`);
      await box.getByTestId('verify-valid').waitFor();
      assert.equal((await box.getByTestId('verify-number').textContent()).trim(), cert.number);

      // A made-up code (the real one with its characters rotated).
      const madeUp = cert.code.replaceAll('-', '').split('').reverse().join('').match(/.{4}/g).join('-');
      assert.notEqual(madeUp, cert.code);
      await box.getByLabel('Kod weryfikacyjny').fill(madeUp);
      await box.getByRole('button', { name: 'Sprawdź' }).click();
      await box.getByTestId('verify-not-found').waitFor();
      assert.match(await box.getByTestId('verify-not-found').textContent(), /Nie znaleziono zaświadczenia o tym kodzie/);
      assert.equal(await box.getByTestId('verify-valid').count(), 0);
      await screenshot(page, 'certificates-verify');
    } catch (err) {
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test("(d) a holder's name changed after issue: version 2 with the same number", { timeout: 240_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    assert.ok(shared.training, 'the training of the first step has certificates');
    const { people, byPerson, training } = shared;
    const cert = byPerson[people.bogdan.id];
    const { context, page } = await openPage(browser);
    try {
      await login(page, env.base, staff);
      await page.goto(`${env.base}/#/crm/trainings/${training.id}?tab=certificates`);
      const tab = page.getByTestId('training-certificates');
      const row = tab.locator(`tr[data-certificate="${cert.id}"]`);
      await row.waitFor();

      // Staff change Alicja's surname: the certificates function re-issues her certificate.
      const alicjaCert = byPerson[people.alicja.id];
      const alicja = ok(await apiFetch(page, `/api/staff/persons/${people.alicja.id}`), 'person');
      const alicjaLast = `Zamężna${cap(randomLetters(5))}`;
      ok(await apiFetch(page, `/api/staff/persons/${people.alicja.id}`, { method: 'PATCH', body: { lastName: alicjaLast, version: alicja.version } }), 'rename by staff');
      const alicjaRow = tab.locator(`tr[data-certificate="${alicjaCert.id}"]`);
      await eventually(
        async () => {
          await tab.getByRole('button', { name: 'Odśwież' }).click();
          await page.waitForTimeout(1000);
          return (await alicjaRow.getByTestId('certificate-version').textContent()).trim() === '2';
        },
        { timeout: 120_000, interval: 500, message: "Alicja's certificate re-issued as version 2" },
      );
      assert.equal((await alicjaRow.getByTestId('certificate-holder').textContent()).trim(), `Alicja ${alicjaLast}`);
      assert.equal((await alicjaRow.getByTestId('certificate-number').textContent()).trim(), alicjaCert.number, 'the same number');

      // Bogdan's record still has the name on the certificate: the API refuses a correction.
      await row.getByTestId('certificate-correct').click();
      const form = tab.getByTestId('correction-form');
      await form.waitFor();
      await form.getByRole('button', { name: 'Wystaw nową wersję' }).click();
      await form.getByTestId('field-error').filter({ hasText: 'Imię i nazwisko się nie zmieniło.' }).waitFor();

      await form.getByRole('button', { name: 'Anuluj' }).click();

      // Unit-admin A corrects Bogdan's surname in the extranet: the certificate follows by itself.
      const newLast = `Poprawiony${cap(randomLetters(5))}`;
      {
        const admin = await openPage(browser);
        try {
          await login(admin.page, env.base, adminA);
          const person = ok(await apiFetch(admin.page, `/api/extranet/persons/${people.bogdan.id}`), 'person in the extranet');
          ok(await apiFetch(admin.page, `/api/extranet/persons/${people.bogdan.id}`, { method: 'PATCH', body: { lastName: newLast, version: person.version } }), 'rename by unit-admin A');
        } finally {
          await admin.context.close();
        }
      }
      const newName = `Bogdan ${newLast}`;
      await eventually(
        async () => {
          await tab.getByRole('button', { name: 'Odśwież' }).click();
          await page.waitForTimeout(1000);
          return (await row.getByTestId('certificate-version').textContent()).trim() === '2';
        },
        { timeout: 120_000, interval: 500, message: "Bogdan's certificate re-issued as version 2 after the extranet edit" },
      );
      assert.equal((await row.getByTestId('certificate-number').textContent()).trim(), cert.number, 'the same number');
      assert.equal((await row.getByTestId('certificate-holder').textContent()).trim(), newName);
      await row.getByTestId('certificate-versions-toggle').click();
      const versions = tab.getByTestId('certificate-versions');
      await versions.getByTestId('certificate-version-row').nth(1).waitFor();
      const texts = await versions.getByTestId('certificate-version-row').allTextContents();
      assert.equal(texts.length, 2);
      assert.ok(texts[0].includes(people.bogdan.name) && texts[1].includes(newName), texts.join(' | '));
      // Version 1's own PDF stays downloadable, under its own name.
      const first = await downloaded(page, () => versions.getByTestId('certificate-version-download').first().click());
      assert.ok(isPdf(first.bytes), 'version 1 is a PDF');
      assert.match(first.name, /-wersja-1\.pdf$/);
      await screenshot(page, 'certificates-correction');

      // The person card's "Szkolenia" lists the person's certificate, in its current version.
      await page.goto(`${env.base}/#/crm/persons/${people.bogdan.id}?tab=trainings`);
      const own = page.getByTestId('person-certificates').locator(`tr[data-certificate="${cert.id}"]`);
      await own.waitFor();
      assert.equal((await own.getByTestId('certificate-version').textContent()).trim(), '2');
      assert.ok((await own.getByTestId('certificate-training').textContent()).startsWith(shared.title));
      const fromPerson = await downloaded(page, () => own.getByTestId('certificate-download').click());
      assert.ok(isPdf(fromPerson.bytes), 'a PDF from the person card');

      // The download and the verification follow the current version.
      await page.goto(`${env.base}/#/crm/trainings/${training.id}?tab=certificates`);
      const pdf = await downloaded(page, () => row.getByTestId('certificate-download').click());
      assert.ok(isPdf(pdf.bytes));
      await page.goto(`${env.base}/#/verify/${cert.code}`);
      await page.getByTestId('verify-valid').waitFor();
      assert.equal((await page.getByTestId('verify-holder').textContent()).trim(), newName);
    } catch (err) {
      await screenshot(page, 'certificates-correction-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
