// Staff: "Poczta przychodząca". A message from an address nobody in the registry has is put
// into the inbound bucket (scripts/localstack/deliver_inbound.py, as SES would; the stack's
// relay hands it to the inbound-mail function) → "Nieprzypisane" lists it → its page shows the
// Polish text and the PDF (downloadable) and no reply form → staff link it to a person through
// the search → the reply form appears, a reply is sent (one e-mail in the emulator's mail store)
// and listed → the person's history shows the received e-mail and the reply; the message has
// left "Nieprzypisane".
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { apiFetch, e2eSuite, eventually, findInPagedList, login, newPage, pickUsers, randomLetters, screenshot, withDiagnostics } from './helpers.mjs';

const SAMPLE = new URL('../../scripts/localstack/samples/zgloszenie.eml', import.meta.url).pathname;
const DELIVER = new URL('../../scripts/localstack/deliver_inbound.py', import.meta.url).pathname;
const SUBJECT = 'Zgłoszenie na szkolenie – prośba o fakturę dla gminy';

/** The stack's environment (export KEY=VALUE lines written by bootstrap.py). */
function stackEnv() {
  const file = process.env.E2E_STACK_ENV;
  assert.ok(file, 'E2E_STACK_ENV (the env file of the stack under test) is not set: run through ./scripts/test');
  const env = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/** Puts the sample message, from `sender`, into the inbound bucket (the relay delivers it). */
async function deliver(sender) {
  const python = process.env.E2E_PYTHON || 'python3';
  await promisify(execFile)(python, [DELIVER, SAMPLE, '--from', sender, '--no-invoke'], { env: { ...process.env, ...stackEnv() } });
}

async function sentTo(motoUrl, address) {
  const data = await (await fetch(`${motoUrl}/moto-api/data.json`)).json();
  const messages = (data.ses && data.ses.Message) || [];
  return messages.filter((m) => ((m.destinations && m.destinations.ToAddresses) || []).includes(address));
}

describe('staff CRM: inbound mail', () => {
  const suite = e2eSuite();

  test('an unknown sender: listed as unassigned, read, linked to a person, answered', { timeout: 180_000 }, async () => {
    const { env, browser } = suite();
    const { staff, adminA } = pickUsers(env.users);
    const motoUrl = process.env.E2E_MOTO_URL;
    assert.ok(motoUrl, 'E2E_MOTO_URL (the emulator, whose mail store holds sent e-mails) is not set: run through ./scripts/test');
    const tag = randomLetters(8);
    const stranger = `sekretariat.${tag}@gmina-nowa.pl`;
    const lastName = `Odpisowska${tag}`;
    const { context, page } = await newPage(browser);
    try {
      await login(page, env.base, staff);
      const created = await apiFetch(page, '/api/staff/persons', {
        method: 'POST',
        body: { firstName: 'Żaneta', lastName, unitId: adminA.unitId, email: `zaneta.${tag}@gmina-test.pl` },
      });
      assert.equal(created.status, 201, `create the person: ${created.text}`);
      const personId = created.body.id;
      await deliver(`Sekretariat Gminy Nowej <${stranger}>`);

      await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Poczta przychodząca' }).click();
      await page.waitForURL(/#\/crm\/inbound/);
      await page.getByRole('heading', { name: 'Poczta przychodząca', level: 1 }).waitFor();
      await page.getByRole('tab', { name: 'Nieprzypisane' }).click();
      await page.waitForURL(/unassigned=true/);
      // The relay hands the message over within a few seconds (the first time it also compiles the function).
      const row = await eventually(
        async () => {
          const r = page.getByTestId('inbound-row').filter({ hasText: stranger });
          if (await r.count()) return r.first();
          await page.reload();
          await page.getByTestId('inbound-list').or(page.getByText('Wszystkie wiadomości są przypisane.')).first().waitFor();
          return null;
        },
        { timeout: 150_000, interval: 1_500, message: 'the delivered message in "Nieprzypisane"' },
      );
      assert.match(await row.textContent(), /nieprzypisana/);
      await row.getByRole('link', { name: SUBJECT }).click();

      const view = page.getByTestId('inbound-message');
      await view.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
      assert.match(await page.getByTestId('inbound-text').textContent(), /w załączeniu przesyłam zgłoszenie pani Żanety Łęckiej/);
      const attachment = page.getByTestId('inbound-attachments').getByRole('link', { name: 'zgłoszenie Łęcka.pdf' });
      const pdf = await fetch(await attachment.getAttribute('href'));
      assert.equal(pdf.status, 200);
      assert.ok(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).equals(Buffer.from('%PDF-')), 'the attachment is the PDF');
      assert.equal(await page.getByTestId('inbound-reply').count(), 0, 'no reply before the message is linked');
      await page.getByText('Aby odpowiedzieć, najpierw przypisz wiadomość do osoby').waitFor();

      // Link it to the person through the search.
      const assign = page.getByTestId('inbound-assign');
      await assign.getByTestId('inbound-assign-search').fill(lastName);
      await assign.getByRole('button', { name: new RegExp(`Żaneta ${lastName}`) }).click();
      await page.getByTestId('inbound-person').getByRole('link', { name: `Żaneta ${lastName}` }).waitFor();
      assert.equal(await page.getByTestId('inbound-assign').count(), 0);

      // Reply.
      const form = page.getByRole('form', { name: 'Odpowiedz' });
      assert.equal(await form.getByLabel('Temat').inputValue(), `Re: ${SUBJECT}`);
      const text = `Dzień dobry,\nzgłoszenie przyjęliśmy; fakturę wystawimy po szkoleniu.\nPozdrawiamy (${tag})`;
      await form.getByLabel('Treść odpowiedzi').fill(text);
      await form.getByRole('button', { name: 'Wyślij odpowiedź' }).click();
      await page.getByTestId('toast').filter({ hasText: `Wysłano odpowiedź do ${stranger}` }).waitFor();
      const replies = page.getByTestId('inbound-replies');
      await replies.getByText(`Re: ${SUBJECT}`).waitFor();
      assert.match(await replies.textContent(), new RegExp(`do ${stranger.replace(/\./g, '\\.')}`));
      const sent = await eventually(async () => {
        const found = await sentTo(motoUrl, stranger);
        return found.length ? found : null;
      }, { message: 'the reply in the mail store' });
      assert.equal(sent.length, 1);
      assert.equal(sent[0].subject, `Re: ${SUBJECT}`);
      assert.ok(sent[0].body.includes(`Pozdrawiamy (${tag})`));
      await screenshot(page, 'inbound-message');

      // The person's history: the received e-mail and the reply.
      await page.getByTestId('inbound-person').getByRole('link').click();
      await page.waitForURL(new RegExp(`#/crm/persons/${personId}`));
      const timeline = page.getByTestId('timeline');
      await timeline.getByText('e-mail przychodzący').waitFor();
      await timeline.getByText(SUBJECT, { exact: true }).waitFor();
      await timeline.getByText(`Re: ${SUBJECT}`, { exact: true }).waitFor();

      // It has left "Nieprzypisane" and is under "Wszystkie".
      const unassigned = await apiFetch(page, '/api/staff/inbound?unassigned=true&limit=100');
      assert.ok(!unassigned.body.items.some((m) => m.from && m.from.address === stranger), 'no longer unassigned');
      await page.goto(`${env.base}/#/crm/inbound`);
      await findInPagedList(page.getByTestId('inbound-list'), stranger);
    } catch (err) {
      await screenshot(page, 'inbound-failure').catch(() => {});
      throw withDiagnostics(page, err);
    } finally {
      await context.close();
    }
  });
});
