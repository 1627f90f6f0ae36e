// Billing helpers shared by the CRM and the extranet: amounts (PLN as decimal strings from the
// API, formatted here; every VAT amount, gross and total comes from the server's `Totals`, per
// line and per rate), VAT labels, period labels, the settlement table, the settlement card and
// the receivables summary.
import { fmtDate } from './format.js';
import { getLang, t, tOr } from './i18n.js';
import { DataList } from './ui.jsx';

/* ---------- amounts ---------- */

/** "1500.00" / "-12.5" / 1500 → whole grosze (integer); half away from zero past 2 decimals. */
export function toGrosze(v) {
  if (v === null || v === undefined || v === '') return 0;
  if (typeof v === 'number') return Math.round(v * 100);
  const s = String(v).trim().replace(/\s/g, '').replace(',', '.');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) return NaN;
  const neg = m[1] === '-';
  const frac = (m[3] || '') + '000';
  let g = Number(m[2] || '0') * 100 + Number(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) g += 1;
  return neg ? -g : g;
}

/** Whole grosze → "1 500,00 zł" (pl: non-breaking spaces between thousands) / "1,500.00 zł" (en). */
export function fmtGrosze(g) {
  if (Number.isNaN(g)) return '';
  const neg = g < 0;
  const abs = Math.abs(g);
  const zl = String(Math.floor(abs / 100));
  const gr = String(abs % 100).padStart(2, '0');
  const pl = getLang() === 'pl';
  const grouped = zl.replace(/\B(?=(\d{3})+(?!\d))/g, pl ? '\u00a0' : ',');
  return `${neg ? '−' : ''}${grouped}${pl ? ',' : '.'}${gr}\u00a0zł`;
}

/** An API amount ("1500.00") → "1 500,00 zł". */
export const fmtPln = (v) => fmtGrosze(toGrosze(v));

/* ---------- VAT ---------- */

export const VAT_CHOICES = ['23', '8', '5', '0', 'zw'];

export function vatLabel(vat) {
  if (!vat) return '';
  if (vat.kind === 'exempt') return t('billing.exempt');
  return `${String(vat.percent).replace(/\.0+$/, '')}%`;
}

/** A VAT treatment as the form value: "23", "zw". */
export function vatCode(vat) {
  if (!vat) return '';
  return vat.kind === 'exempt' ? 'zw' : String(vat.percent).replace(/\.0+$/, '');
}

/* ---------- labels ---------- */

const MONTHS_PL = ['styczeń', 'luty', 'marzec', 'kwiecień', 'maj', 'czerwiec', 'lipiec', 'sierpień', 'wrzesień', 'październik', 'listopad', 'grudzień'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ROMAN = ['I', 'II', 'III', 'IV'];

/** A billing period `{cycle, start, end}` → "marzec 2027", "I kwartał 2027", "II półrocze 2027", "rok 2027". */
export function periodLabel(period) {
  if (!period || !period.start) return '';
  const [y, m] = period.start.split('-').map(Number);
  const pl = getLang() === 'pl';
  switch (period.cycle) {
    case 'monthly':
      return `${(pl ? MONTHS_PL : MONTHS_EN)[m - 1]} ${y}`;
    case 'quarterly':
      return pl ? `${ROMAN[Math.floor((m - 1) / 3)]} kwartał ${y}` : `Q${Math.floor((m - 1) / 3) + 1} ${y}`;
    case 'half_yearly':
      return pl ? `${ROMAN[Math.floor((m - 1) / 6)]} półrocze ${y}` : `H${Math.floor((m - 1) / 6) + 1} ${y}`;
    case 'yearly':
      return pl ? `rok ${y}` : `${y}`;
    default:
      return `${fmtDate(period.start)} – ${fmtDate(period.end)}`;
  }
}

export const statusLabel = (s) => tOr(`billing.status.${s}`, s || '');
export const paymentLabel = (s) => tOr(`billing.payment.${s}`, s || '');

export function StatusBadge({ status }) {
  const cls = status === 'draft' ? '' : status === 'invoiced' ? 'badge-done' : 'badge-ok';
  return (
    <span class={`badge ${cls}`} data-testid="settlement-status">
      {statusLabel(status)}
    </span>
  );
}

export function PaymentBadge({ settlement }) {
  if (settlement.status === 'draft') return null;
  const p = settlement.paymentStatus;
  const cls = p === 'paid' ? 'badge-ok' : p === 'overpaid' ? 'badge-open' : p === 'partly_paid' ? 'badge-open' : '';
  return (
    <span class={`badge ${cls}`} data-testid="payment-status">
      {paymentLabel(p)}
    </span>
  );
}

export function lineSourceText(line) {
  const s = line.source || {};
  if (s.kind === 'enrolment') return `${s.personName} — ${s.trainingTitle}`;
  if (s.kind === 'contract') return `${t('billing.doc.contract')} „${s.subject}”`;
  return '';
}

export const serviceText = (l) => (l.serviceFrom === l.serviceTo ? fmtDate(l.serviceFrom) : `${fmtDate(l.serviceFrom)} – ${fmtDate(l.serviceTo)}`);

/* ---------- receivables ---------- */

export function ReceivablesBox({ receivables }) {
  const r = receivables || {};
  const cell = (key, value, testid) => (
    <div class="stat" data-testid={testid}>
      <dt>{t(`billing.unitTab.${key}`)}</dt>
      <dd class="amount">{fmtPln(value)}</dd>
    </div>
  );
  return (
    <section class="card" aria-labelledby="receivables-title">
      <h2 class="card-title" id="receivables-title">
        {t('billing.unitTab.receivables')}
      </h2>
      <dl class="stats" data-testid="receivables">
        {cell('issued', r.issuedGross, 'recv-issued')}
        {cell('paid', r.paid, 'recv-paid')}
        {cell('outstanding', r.outstanding, 'recv-outstanding')}
        {cell('overdue', r.overdue, 'recv-overdue')}
      </dl>
    </section>
  );
}

/* ---------- settlements ---------- */

/** Settlements table; `hrefFor(id)` links a row's number; `unitName(s)` fills the unit column when given. */
export function SettlementsTable({ items, hrefFor, unitName, testid = 'settlements-table' }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testid}>
        <thead>
          <tr>
            <th scope="col">{t('billing.docs.number')}</th>
            {unitName && <th scope="col">{t('billing.docs.unit')}</th>}
            <th scope="col">{t('billing.docs.issueDate')}</th>
            <th scope="col">{t('billing.docs.dueDate')}</th>
            <th scope="col" class="num">
              {t('billing.docs.gross')}
            </th>
            <th scope="col">{t('billing.docs.status')}</th>
            <th scope="col">{t('billing.docs.payment')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-settlement={s.id}>
              <td>
                <a href={hrefFor(s.id)} data-testid="settlement-number">
                  {s.number || t('billing.docs.noNumber')}
                </a>
                {s.kind && s.kind.type === 'correction' && <div class="muted small">{t('billing.doc.correction', { number: s.kind.ofNumber })}</div>}
              </td>
              {unitName && <td>{unitName(s)}</td>}
              <td class="nowrap">{fmtDate(s.issueDate)}</td>
              <td class="nowrap">{fmtDate(s.dueDate)}</td>
              <td class="num nowrap" data-testid="settlement-gross">
                {fmtPln(s.totals.gross)}
              </td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>
                <PaymentBadge settlement={s} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The lines of a settlement (or a draft) with its totals per VAT rate, as the server computed them. */
export function LinesTable({ lines, totals, showPerson = true, testid = 'settlement-lines' }) {
  const enrolmentLines = lines.some((l) => l.source && l.source.kind === 'enrolment');
  const withPerson = showPerson && enrolmentLines;
  const cols = withPerson ? 3 : 2;
  // Each line's VAT and gross as the server rounded them (in the lines' order).
  const amounts = (totals && totals.lines) || [];
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testid}>
        <thead>
          <tr>
            {withPerson ? (
              <>
                <th scope="col">{t('billing.settle.person')}</th>
                <th scope="col">{t('billing.settle.trainingCol')}</th>
              </>
            ) : (
              <th scope="col">{t('billing.doc.description')}</th>
            )}
            <th scope="col">{withPerson ? t('billing.settle.dates') : t('billing.doc.service')}</th>
            <th scope="col" class="num">
              {t('billing.settle.net')}
            </th>
            <th scope="col">{t('billing.doc.rate')}</th>
            <th scope="col" class="num">
              {t('billing.settle.vat')}
            </th>
            <th scope="col" class="num">
              {t('billing.settle.gross')}
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={i} data-testid="line">
              {withPerson ? (
                <>
                  <td>{l.source && l.source.kind === 'enrolment' ? l.source.personName : ''}</td>
                  <td>{l.source && l.source.kind === 'enrolment' ? l.source.trainingTitle : l.description}</td>
                </>
              ) : (
                <td>{l.description}</td>
              )}
              <td class="nowrap">{serviceText(l)}</td>
              <td class="num nowrap">{fmtPln(l.net)}</td>
              <td>{vatLabel(l.vat)}</td>
              <td class="num nowrap">{amounts[i] ? fmtPln(amounts[i].vatAmount) : ''}</td>
              <td class="num nowrap">{amounts[i] ? fmtPln(amounts[i].gross) : ''}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {totals.byVat.length > 1 &&
            totals.byVat.map((g) => (
              <tr key={`${g.code}-${(g.vat && g.vat.basis) || ''}`} class="subtotal">
                <th scope="row" colSpan={cols}>
                  {t('billing.doc.totals')} {vatLabel(g.vat)}
                </th>
                <td class="num nowrap">{fmtPln(g.net)}</td>
                <td />
                <td class="num nowrap">{fmtPln(g.vatAmount)}</td>
                <td class="num nowrap">{fmtPln(g.gross)}</td>
              </tr>
            ))}
          <tr class="total" data-testid="lines-total">
            <th scope="row" colSpan={cols}>
              {t('billing.doc.totals')}
            </th>
            <td class="num nowrap" data-testid="total-net">
              {fmtPln(totals.net)}
            </td>
            <td />
            <td class="num nowrap" data-testid="total-vat">
              {fmtPln(totals.vatAmount)}
            </td>
            <td class="num nowrap" data-testid="total-gross">
              {fmtPln(totals.gross)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function buyerAddress(b) {
  return [b.street, [b.postalCode, b.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/**
 * A settlement document: header data, buyer snapshot, lines, totals per VAT, corrections,
 * export batch, invoice number, payment. `hrefFor(id)` links corrections; `unitHref` the buyer.
 */
export function SettlementView({ settlement: s, hrefFor, unitHref }) {
  const totals = s.totals;
  const b = s.buyer;
  const isCorrection = s.kind && s.kind.type === 'correction';
  return (
    <div class="stack" data-testid="settlement-card">
      <div class="card">
        <DataList
          rows={[
            [t('billing.docs.kind'), isCorrection ? t('billing.doc.correction', { number: s.kind.ofNumber }) : t('billing.doc.regular'), 'doc-kind'],
            ...(isCorrection
              ? [
                  [t('billing.doc.reason'), s.kind.reason],
                  [t('billing.doc.corrections'), hrefFor ? <a href={hrefFor(s.kind.of)}>{s.kind.ofNumber}</a> : s.kind.ofNumber],
                ]
              : []),
            [t('billing.docs.status'), <StatusBadge status={s.status} />, 'doc-status'],
            [t('billing.docs.issueDate'), fmtDate(s.issueDate), 'doc-issue-date'],
            [t('billing.docs.dueDate'), fmtDate(s.dueDate), 'doc-due-date'],
            [t('billing.docs.gross'), <strong>{fmtPln(totals.gross)}</strong>, 'doc-gross'],
            [t('billing.docs.payment'), s.status === 'draft' ? null : <PaymentBadge settlement={s} />, 'doc-payment'],
            [t('billing.doc.paid'), s.payment ? t('billing.doc.paidAsOf', { amount: fmtPln(s.payment.paidTotal), date: fmtDate(s.payment.asOf) }) : t('billing.doc.notPaid'), 'doc-paid'],
            [t('billing.doc.exportBatch'), s.exportBatchId && <span class="mono">{s.exportBatchId}</span>, 'doc-export-batch'],
            [t('billing.doc.invoiceNumber'), s.invoiceNumber && <span class="mono">{s.invoiceNumber}</span>, 'doc-invoice-number'],
          ]}
        />
      </div>
      {b && (
        <section class="card" aria-labelledby="buyer-title">
          <h2 class="card-title" id="buyer-title">
            {t('billing.doc.buyer')}
          </h2>
          <DataList
            rows={[
              [t('billing.docs.unit'), unitHref ? <a href={unitHref(b.unitId)}>{b.name}</a> : b.name, 'buyer-name'],
              [t('billing.doc.nip'), b.nip && <span class="mono">{b.nip}</span>, 'buyer-nip'],
              [t('billing.doc.regon'), b.regon && <span class="mono">{b.regon}</span>],
              [t('billing.doc.address'), buyerAddress(b), 'buyer-address'],
            ]}
          />
        </section>
      )}
      <section class="card" aria-labelledby="lines-title">
        <h2 class="card-title" id="lines-title">
          {t('billing.doc.lines')}
        </h2>
        <LinesTable lines={s.lines} totals={s.totals} />
      </section>
      <section class="card" aria-labelledby="byvat-title">
        <h2 class="card-title" id="byvat-title">
          {t('billing.doc.byVat')}
        </h2>
        <div class="table-wrap">
          <table class="table" data-testid="settlement-by-vat">
            <thead>
              <tr>
                <th scope="col">{t('billing.doc.rate')}</th>
                <th scope="col" class="num">
                  {t('billing.docs.net')}
                </th>
                <th scope="col" class="num">
                  {t('billing.docs.vatAmount')}
                </th>
                <th scope="col" class="num">
                  {t('billing.docs.gross')}
                </th>
              </tr>
            </thead>
            <tbody>
              {totals.byVat.map((g) => (
                <tr key={`${g.code}-${(g.vat && g.vat.basis) || ''}`}>
                  <td>
                    {vatLabel(g.vat)}
                    {g.vat && g.vat.kind === 'exempt' && g.vat.basis && <div class="muted small">{g.vat.basis}</div>}
                  </td>
                  <td class="num nowrap">{fmtPln(g.net)}</td>
                  <td class="num nowrap">{fmtPln(g.vatAmount)}</td>
                  <td class="num nowrap">{fmtPln(g.gross)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr class="total">
                <th scope="row">{t('billing.doc.totals')}</th>
                <td class="num nowrap">{fmtPln(totals.net)}</td>
                <td class="num nowrap">{fmtPln(totals.vatAmount)}</td>
                <td class="num nowrap">{fmtPln(totals.gross)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="corr-title">
        <h2 class="card-title" id="corr-title">
          {t('billing.doc.corrections')}
        </h2>
        {(s.correctedBy || []).length === 0 ? (
          <p class="muted">{t('billing.doc.noCorrections')}</p>
        ) : (
          <ul data-testid="corrections">
            {s.correctedBy.map((id) => (
              <li key={id}>{hrefFor ? <a href={hrefFor(id)}>{id}</a> : <span class="mono">{id}</span>}</li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function settlementTitle(s) {
  return s.number ? t('billing.doc.title', { number: s.number }) : t('billing.doc.draftTitle');
}
