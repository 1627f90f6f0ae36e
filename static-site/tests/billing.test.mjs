// 8. Billing ("Rozliczenia"):
// (a) staff create a contract for a new unit through the form opened from the unit card
//     (prefilled unit), preview the month's billing run (its pro-rata charge for the first,
//     partial month), run it and wait until the run reports every contract billed; the unit's
//     "Rozliczenia" tab then shows the issued ROZ/ document with the gross amount and the
//     receivables grow by it.
// (b) a completed training (persons of two units enrolled through the API, its session moved
//     into the past, attendance marked, completed) settled from "Rozliczenia szkoleń": the
//     preview shows one block per unit with its lines and totals, "Rozlicz" issues one ROZ/
//     document per unit and moves the training to "settled"; unit-admin A sees the own unit's
//     document in the extranet and gets 404 for unit B's document through the API; a
//     participant has no "Rozliczenia" in the navigation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiFetch, e2eSuite, eventually, login, logout, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${r.text}`);
  return r.body;
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Warsaw' });
/** Whitespace (incl. the non-breaking spaces of amounts) folded to one plain space. */
const norm = (s) => String(s || '').replace(/\s+/g, ' ').trim();
/** Grosze → "1 500,00 zł" (plain spaces; compare with norm()). */
function pln(g) {
  const neg = g < 0;
  const a = Math.abs(g);
  const zl = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${neg ? '−' : ''}${zl},${String(a % 100).padStart(2, '0')} zł`;
}
const grossOf = (netG, percent) => netG + Math.round((netG * percent) / 100);
const toG = (s) => Math.round(Number(s) * 100);
const NUMBER = /^ROZ\/\d{6}\/\d{4}$/;

async function someVenue(page) {
  const venues = ok(await apiFetch(page, '/api/staff/venues'), 'venues');
  const venue = venues.find((v) => v.capacity >= 10);
  if (venue) return venue;
  return ok(await apiFetch(page, '/api/staff/venues', { method: 'POST', body: { name: 'Sala testowa', capacity: 40, latitude: '52.4064', longitude: '16.9252', address: { city: 'Poznań' } } }), 'create venue');
}

describe('billing', () => {
  const suite = e2eSuite();

  test('staff: contract → month preview with the pro-rata amount → run → document on the unit card', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    page.on('dialog', (d) => d.accept());
    try {
      await login(page, env.base, staff);
      const suffix = cap(randomLetters(7));
      const unit = ok(
        await apiFetch(page, '/api/staff/units', {
          method: 'POST',
          body: { name: `Gmina Umowna ${suffix}`, kind: 'gmina_wiejska', address: { street: 'ul. Rynek 1', postalCode: '62-035', city: 'Kórnik' } },
        }),
        'create unit',
      );
      // The contract starts on the 16th of the previous month, billed monthly in arrears: on the
      // 1st of this month its first, partial month is due.
      const now = isoDay(0);
      const [y, m] = now.split('-').map(Number);
      const prevY = m === 1 ? y - 1 : y;
      const prevM = m === 1 ? 12 : m - 1;
      const start = `${prevY}-${String(prevM).padStart(2, '0')}-16`;
      const firstOfMonth = `${now.slice(0, 8)}01`;
      const daysInPrev = new Date(Date.UTC(prevY, prevM, 0)).getUTCDate();
      const R = 300_000; // 3 000,00 zł per full month
      // Cumulative boundary rounding: the days from the 16th on get R − round(R × 15/days).
      const expectedNet = R - Math.round((R * 15) / daysInPrev);
      const expectedGross = grossOf(expectedNet, 23);
      const subject = `Obsługa prawna ${suffix}`;

      // Unit card → "Rozliczenia": nothing yet; "Nowa umowa" opens the form with the unit.
      await page.goto(`${env.base}/#/crm/units/${unit.id}`);
      await page.getByTestId('unit-card').waitFor();
      await page.getByRole('tab', { name: 'Rozliczenia' }).click();
      await page.waitForURL(/tab=billing/);
      const billing = page.getByTestId('unit-billing');
      await billing.getByText('Jednostka nie ma jeszcze dokumentów rozliczeniowych.').waitFor();
      assert.equal(norm(await billing.getByTestId('recv-issued').locator('dd').textContent()), '0,00 zł');
      await billing.getByRole('link', { name: 'Nowa umowa' }).click();
      const form = page.getByTestId('contract-form');
      await form.waitFor();
      assert.equal(await form.getByTestId('picked-unit').textContent(), unit.name);
      await form.getByLabel('Przedmiot').fill(subject);
      await form.getByLabel('Początek').fill(start);
      await form.getByTestId('contract-cycle').getByRole('radio', { name: 'miesięczny' }).check();
      await form.getByTestId('contract-timing').getByRole('radio', { name: 'z dołu' }).check();
      await form.getByTestId('contract-proRata').getByRole('radio', { name: 'dni kalendarzowe' }).check();
      await form.getByLabel('Kwota netto za okres').fill('3 000,00');
      await form.getByLabel('VAT', { exact: true }).selectOption('23');
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/staff/contracts')),
        form.getByRole('button', { name: 'Zapisz' }).click(),
      ]);
      assert.equal(created.status(), 201, await created.text());
      const contract = (await created.json()).contract;
      const card = page.getByTestId('contract-card');
      await card.waitFor();
      assert.equal(await card.getByTestId('contract-unit').textContent(), unit.name);
      assert.equal(await card.getByTestId('contract-timing').textContent(), 'z dołu');
      assert.equal(norm(await card.getByTestId('contract-terms').locator('tbody td').nth(1).textContent()), '3 000,00 zł');
      assert.equal(await card.getByTestId('contract-next-due').textContent(), firstOfMonth.split('-').reverse().join('.'));

      // "Fakturowanie umów": the day defaults to the 1st of the month; the preview lists the
      // contract's pro-rata charge.
      await page.getByTestId('billing-nav').getByRole('link', { name: 'Fakturowanie umów' }).click();
      const run = page.getByTestId('billing-run');
      await run.waitFor();
      assert.equal(await run.getByLabel('Nalicz do dnia').inputValue(), firstOfMonth);
      await run.getByRole('button', { name: 'Podgląd' }).click();
      const row = run.getByTestId('run-preview-table').locator(`tr[data-contract="${contract.id}"]`);
      await row.waitFor();
      assert.equal(norm(await row.getByTestId('charge-net').textContent()), pln(expectedNet));
      assert.match(norm(await row.textContent()), new RegExp(`${unit.name}.*${subject}`));
      assert.match(norm(await row.textContent()), /23%/);
      const preview = ok(await apiFetch(page, `/api/staff/billing/preview?asOf=${firstOfMonth}`), 'preview');
      assert.equal(norm(await run.getByTestId('run-total-net').textContent()), pln(toG(preview.totalNet)));
      await screenshot(page, 'billing-run-preview');

      // "Uruchom": the run is queued, then the page polls until nothing is due any more.
      await run.getByRole('button', { name: 'Uruchom' }).click();
      const progress = run.getByTestId('run-progress');
      await progress.waitFor();
      await run.locator('[data-testid="run-progress"][data-finished="true"]').waitFor({ timeout: 120_000 });
      assert.match(norm(await progress.getByTestId('run-progress-text').textContent()), /^Naliczanie zakończone: naliczono (\d+) z \1 umów\.$/);
      await run.getByTestId('run-preview-empty').waitFor();

      // The unit card shows the issued document and the receivables grow by its gross amount.
      await page.goto(`${env.base}/#/crm/units/${unit.id}?tab=billing`);
      const docRow = billing.getByTestId('unit-settlements').locator('tbody tr').first();
      await eventually(
        async () => {
          if (await docRow.isVisible().catch(() => false)) return true;
          await page.reload();
          await billing.waitFor();
          return false;
        },
        { timeout: 60_000, interval: 1000, message: 'the contract document on the unit card' },
      );
      const number = (await docRow.getByTestId('settlement-number').textContent()).trim();
      assert.match(number, NUMBER);
      assert.equal(norm(await docRow.getByTestId('settlement-gross').textContent()), pln(expectedGross));
      assert.equal(norm(await billing.getByTestId('recv-issued').locator('dd').textContent()), pln(expectedGross));
      assert.equal(norm(await billing.getByTestId('recv-outstanding').locator('dd').textContent()), pln(expectedGross));
      assert.equal(norm(await billing.getByTestId('contracts-table').locator(`tr[data-contract="${contract.id}"]`).getByRole('link').textContent()), subject);
      await screenshot(page, 'billing-unit-tab');

      // The document's card: the line of the contract, the buyer snapshot, the contract card links it.
      await docRow.getByTestId('settlement-number').click();
      const doc = page.getByTestId('settlement-card');
      await doc.waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Dokument ${number}`);
      assert.equal(await doc.getByTestId('buyer-name').textContent(), unit.name);
      assert.match(norm(await doc.getByTestId('settlement-lines').textContent()), new RegExp(`${subject}.*${pln(expectedNet)}`));
      assert.equal(norm(await doc.getByTestId('total-gross').textContent()), pln(expectedGross));
      const view = ok(await apiFetch(page, `/api/staff/contracts/${contract.id}`), 'contract view');
      assert.equal(view.charges.length, 1);
      assert.equal(toG(view.charges[0].net), expectedNet);

      // The contract card: the charge links its document; a change made meanwhile by someone
      // else (a suspension through the API) makes the amendment report the conflict and show
      // the current state; saving again goes through.
      await page.goto(`${env.base}/#/crm/billing/contracts/${contract.id}`);
      await card.waitFor();
      const charge = card.getByTestId('contract-charges').locator('tbody tr');
      assert.equal(await charge.count(), 1);
      assert.match(norm(await charge.textContent()), new RegExp(`${pln(expectedNet)}.*23%`));
      assert.equal(await charge.getByRole('link', { name: 'dokument' }).getAttribute('href'), `#/crm/billing/documents/${view.charges[0].settlementId}`);
      const change = card.getByTestId('contract-change-form');
      await change.getByRole('radio', { name: /^aneks/ }).check();
      await change.getByLabel('Aneks od').fill(firstOfMonth);
      await change.getByLabel('Nowa kwota netto za okres').fill('3 500,00');
      ok(await apiFetch(page, `/api/staff/contracts/${contract.id}/changes`, { method: 'POST', body: { kind: 'suspend', from: firstOfMonth, version: view.contract.version } }), 'concurrent suspension');
      await change.getByRole('button', { name: 'Zapisz zmianę' }).click();
      await card.getByTestId('contract-notice').filter({ hasText: 'zmienił w międzyczasie ktoś inny' }).waitFor();
      await card.getByTestId('contract-suspensions').filter({ hasText: `${firstOfMonth.split('-').reverse().join('.')} – do odwołania` }).waitFor();
      assert.equal(norm(await card.getByTestId('contract-state').textContent()), `zawieszona od ${firstOfMonth.split('-').reverse().join('.')}`);
      assert.equal(await change.getByLabel('Nowa kwota netto za okres').inputValue(), '3 500,00', 'the unsaved amendment survives the conflict');
      const [amended] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/staff/contracts/${contract.id}/changes`)),
        change.getByRole('button', { name: 'Zapisz zmianę' }).click(),
      ]);
      assert.equal(amended.status(), 200, await amended.text());
      await card.getByTestId('contract-terms').locator('tbody tr').nth(1).waitFor();
      assert.equal(norm((await card.getByTestId('contract-terms').locator('tbody tr').nth(1).locator('td').allTextContents()).join(' ')), `${firstOfMonth.split('-').reverse().join('.')} 3 500,00 zł 23%`);
      await card.getByTestId('contract-notice').waitFor({ state: 'detached' });
      await card.getByTestId('contract-history').getByText(/aneks od .*3\s500,00\szł \+ 23%/).waitFor();
    } catch (err) {
      await screenshot(page, 'billing-contract-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('staff settle a completed training per unit; the unit admin sees only the own document', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA, adminB, participant } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    page.on('dialog', (d) => d.accept());
    try {
      await login(page, env.base, staff);
      const suffix = randomLetters(6);
      const people = [];
      for (const [first, unitId] of [
        ['Alicja', adminA.unitId],
        ['Bogdan', adminA.unitId],
        ['Celina', adminB.unitId],
      ]) {
        const lastName = `Rozliczana${cap(randomLetters(5))}`;
        const p = ok(
          await apiFetch(page, '/api/staff/persons', { method: 'POST', body: { firstName: first, lastName, unitId, email: `e2e.bill.${Date.now()}.${suffix}.${first.toLowerCase()}@example.com` } }),
          'create person',
        );
        people.push({ id: (p.person || p).id, name: `${first} ${lastName}`, unitId });
      }
      // Planned ahead, enrolled, the session moved to yesterday, started, attendance, completed
      // (as training-invited-attendance does).
      const venue = await someVenue(page);
      const title = `Rozliczenie ${cap(suffix)}`;
      let training = ok(
        await apiFetch(page, '/api/staff/trainings', {
          method: 'POST',
          body: { kind: 'EDU-OPEN', title, sessions: [{ date: isoDay(20), start: '09:00', end: '13:00' }], venueId: venue.id, capacity: 10, priceNet: '300,00', vat: '23', attendanceRule: 'all_sessions' },
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
      const day = isoDay(-1);
      ok(
        await apiFetch(page, `/api/staff/trainings/${training.id}`, {
          method: 'PATCH',
          body: { sessions: [{ date: day, start: '09:00', end: '13:00' }], enrolmentDeadline: '', cancellationDeadline: '', version: training.version },
        }),
        'move the session into the past',
      );
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'running' } }), 'start');
      for (const p of people) ok(await apiFetch(page, `/api/staff/trainings/${training.id}/attendance`, { method: 'POST', body: { personId: p.id, session: 0, present: true } }), 'attendance');
      ok(await apiFetch(page, `/api/staff/trainings/${training.id}/phase`, { method: 'POST', body: { to: 'completed' } }), 'complete');

      // "Rozliczenia szkoleń": the training is offered; the preview has one block per unit.
      await page.goto(`${env.base}/#/crm/billing/contracts`);
      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Rozliczenia' }).click();
      await page.getByTestId('billing-nav').getByRole('link', { name: 'Rozliczenia szkoleń' }).click();
      const settle = page.getByTestId('settle-page');
      const select = settle.getByLabel('Zakończone szkolenie');
      await eventually(async () => (await select.locator(`option[value="${training.id}"]`).count()) === 1, { message: 'the completed training in the list' });
      await select.selectOption(training.id);
      const [previewRes] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/staff/settlements/preview')),
        settle.getByRole('button', { name: 'Podgląd' }).click(),
      ]);
      assert.equal(previewRes.status(), 200, await previewRes.text());
      const lineGross = grossOf(30_000, 23); // 369,00 zł
      const blockA = settle.locator(`[data-testid="settle-draft"][data-unit="${adminA.unitId}"]`);
      const blockB = settle.locator(`[data-testid="settle-draft"][data-unit="${adminB.unitId}"]`);
      await blockA.waitFor();
      assert.equal(await settle.getByTestId('settle-draft').count(), 2);
      assert.equal(norm(await settle.getByTestId('settle-units-count').textContent()), 'Jednostek: 2');
      assert.equal(await blockA.getByTestId('line').count(), 2);
      assert.equal(await blockB.getByTestId('line').count(), 1);
      for (const p of people) {
        const block = p.unitId === adminA.unitId ? blockA : blockB;
        const line = norm(await block.getByTestId('line').filter({ hasText: p.name }).textContent());
        assert.ok(line.includes(title), `${p.name}: the training on the line (${line})`);
        assert.ok(line.includes(day.split('-').reverse().join('.')), `${p.name}: the date on the line (${line})`);
        assert.ok(line.includes(`300,00 zł`) && line.includes('23%') && line.includes('69,00 zł') && line.includes(pln(lineGross)), `${p.name}: net, VAT, gross (${line})`);
      }
      assert.equal(norm(await blockA.getByTestId('total-gross').textContent()), pln(2 * lineGross));
      assert.equal(norm(await blockB.getByTestId('total-gross').textContent()), pln(lineGross));
      assert.equal(norm(await blockA.getByTestId('total-net').textContent()), '600,00 zł');
      await screenshot(page, 'billing-settle-preview');

      // "Rozlicz": one issued document per unit; the training is settled.
      const [settleRes] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/staff/settlements/settle')), settle.getByRole('button', { name: 'Rozlicz' }).click()]);
      assert.equal(settleRes.status(), 200, await settleRes.text());
      const report = await settleRes.json();
      const docA = report.settlements.find((s) => s.unitId === adminA.unitId);
      const docB = report.settlements.find((s) => s.unitId === adminB.unitId);
      assert.ok(docA && docB, 'a document for each unit');
      const result = settle.getByTestId('settle-result');
      await result.waitFor();
      for (const d of [docA, docB]) {
        assert.match(d.number, NUMBER);
        const r = result.locator(`tr[data-settlement="${d.id}"]`);
        assert.equal((await r.getByTestId('settlement-number').textContent()).trim(), d.number);
        assert.equal(norm(await r.getByTestId('settlement-status').textContent()), 'wystawione');
      }
      assert.equal(norm(await result.locator(`tr[data-settlement="${docA.id}"]`).getByTestId('settlement-gross').textContent()), pln(2 * lineGross));
      assert.deepEqual(report.trainingsSettled, [training.id]);
      assert.equal(ok(await apiFetch(page, `/api/staff/trainings/${training.id}`), 'card').training.phase, 'settled');
      // "Dokumenty", tab "wystawione", lists it.
      await page.getByTestId('billing-nav').getByRole('link', { name: 'Dokumenty' }).click();
      await page.getByRole('tab', { name: 'wystawione' }).waitFor();
      await page.getByTestId('settlements-table').getByRole('link', { name: docA.number }).waitFor();
      await logout(page);

      // Unit-admin A: "Rozliczenia" in the extranet lists the own document; its card shows the lines.
      await login(page, env.base, adminA);
      await page.getByRole('navigation').getByRole('link', { name: 'Rozliczenia' }).click();
      const ext = page.getByTestId('ext-settlements');
      await ext.waitFor();
      const own = ext.getByTestId('ext-settlements-table').locator(`tr[data-settlement="${docA.id}"]`);
      await own.waitFor();
      assert.equal(norm(await own.getByTestId('settlement-gross').textContent()), pln(2 * lineGross));
      assert.equal(await ext.getByTestId('ext-settlements-table').locator(`tr[data-settlement="${docB.id}"]`).count(), 0);
      const outstanding = ok(await apiFetch(page, '/api/extranet/settlements'), 'own settlements').receivables.outstanding;
      assert.equal(norm(await ext.getByTestId('recv-outstanding').locator('dd').textContent()), pln(toG(outstanding)));
      await own.getByRole('link', { name: docA.number }).click();
      const extDoc = page.getByTestId('ext-settlement');
      await extDoc.waitFor();
      for (const p of people.filter((x) => x.unitId === adminA.unitId)) await extDoc.getByTestId('line').filter({ hasText: p.name }).waitFor();
      assert.equal(norm(await extDoc.getByTestId('total-gross').textContent()), pln(2 * lineGross));
      await screenshot(page, 'billing-extranet');
      // Unit B's document: 404 through the API, "Nie znaleziono" in the page.
      assert.equal((await apiFetch(page, `/api/extranet/settlements/${docA.id}`)).status, 200);
      assert.equal((await apiFetch(page, `/api/extranet/settlements/${docB.id}`)).status, 404);
      await page.goto(`${env.base}/#/ext/settlements/${docB.id}`);
      await page.getByTestId('error-page').getByRole('heading', { name: 'Nie znaleziono' }).waitFor();
      await logout(page);

      // A participant has no "Rozliczenia".
      if (participant) {
        await login(page, env.base, participant);
        await page.getByRole('navigation').getByRole('link', { name: 'Szkolenia', exact: true }).waitFor();
        assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Rozliczenia', exact: true }).count(), 0);
        assert.equal((await apiFetch(page, '/api/extranet/settlements')).status, 403);
      }
    } catch (err) {
      await screenshot(page, 'billing-settle-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });

  test('staff export the issued settlements to accounting, download the files and import a payment report', { timeout: 300_000 }, async () => {
    const { env, browser } = suite();
    const { staff } = pickUsers(env.users);
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      await page.goto(`${env.base}/#/crm/billing/exports`);
      const exportsPage = page.getByTestId('exports-page');
      await exportsPage.waitFor();
      // The previous tests issued settlements (units with full addresses): a batch takes them.
      const [createRes] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/staff/exports') && r.request().method() === 'POST'),
        exportsPage.getByTestId('export-create').click(),
      ]);
      assert.equal(createRes.status(), 200, await createRes.text());
      const batch = await createRes.json();
      assert.ok(batch.documents > 0, 'the batch holds documents');
      const row = exportsPage.getByTestId('export-batch').filter({ hasText: batch.number });
      await row.waitFor();
      const names = await row.getByTestId('export-file').allTextContents();
      assert.ok(names.some((n) => n.endsWith('.csv')) && names.some((n) => n.startsWith('FA3-')), names.join(', '));
      // The download link works (a short-lived presigned URL) and the file names the documents.
      const xmlName = names.find((n) => n.endsWith('.xml') && !n.startsWith('FA3-'));
      const link = ok(await apiFetch(page, `/api/staff/exports/${batch.id}/files/${encodeURIComponent(xmlName)}`), 'file link');
      const xml = await (await fetch(link.url)).text();
      const exported = ok(await apiFetch(page, '/api/staff/settlements?status=exported'), 'exported').items.filter((s) => s.exportBatchId === batch.id);
      assert.ok(exported.length > 0);
      const doc = exported[0];
      assert.ok(xml.includes(doc.number), 'the XML names the document');
      await screenshot(page, 'billing-exports');

      // A payment report from accounting: 1,00 zł paid so far on one document.
      const before = ok(await apiFetch(page, `/api/staff/units/${doc.unitId}/settlements`), 'receivables').receivables;
      const csv = `NumerObcy;NumerFaktury;ZaplaconoRazem;DataZaplaty\n${doc.number};FS/E2E/${randomLetters(4)};1,00;2026-11-20\nROZ/999999/2026;FS/X;5,00;2026-11-20\n`;
      const form = exportsPage.getByTestId('payment-import');
      await form.getByTestId('payment-csv').fill(csv);
      const importOnce = async () => {
        const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/staff/payments')), form.getByTestId('payment-submit').click()]);
        assert.equal(res.status(), 200, await res.text());
        return res.json();
      };
      const first = await importOnce();
      assert.equal(first.applied, 1);
      assert.equal(first.unknown[0].documentNumber, 'ROZ/999999/2026');
      await form.getByTestId('payment-report').filter({ hasText: 'Zastosowano: 1' }).waitFor();
      await form.getByTestId('payment-report').filter({ hasText: 'ROZ/999999/2026' }).waitFor();
      const second = await importOnce();
      assert.deepEqual([second.applied, second.unchanged], [0, 1], 'the same file again changes nothing');
      const after = ok(await apiFetch(page, `/api/staff/units/${doc.unitId}/settlements`), 'receivables').receivables;
      assert.equal((Number(after.paid) - Number(before.paid)).toFixed(2), '1.00');
      assert.equal(ok(await apiFetch(page, `/api/staff/settlements/${doc.id}`), 'document').status, 'invoiced');
    } catch (err) {
      await screenshot(page, 'billing-exports-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
