// Training helpers shared by the CRM and the extranet: labels, dates, price, seats, API field
// errors, and the dates/venue of the training summary that enrolment lists carry
// (`training: {id, title, phase, startsOn?, endsOn?, venue?}`).
import { api, ApiError } from './api.js';
import { fmtDate } from './format.js';
import { getLang, msg, t, tOr } from './i18n.js';
import { errorText } from './ui.jsx';

export const PHASES = ['planned', 'recruiting', 'running', 'completed', 'settled', 'closed', 'cancelled'];

export const phaseLabel = (p) => tOr(`training.phases.${p}`, p || '');
export const statusLabel = (s) => tOr(`training.status.${s}`, s || '');
export const outcomeLabel = (o) => tOr(`training.outcome.${o}`, o || '');

export function PhaseBadge({ phase }) {
  const cls = phase === 'recruiting' ? 'badge-open' : phase === 'cancelled' ? 'badge-danger' : ['completed', 'settled', 'closed'].includes(phase) ? 'badge-done' : '';
  return (
    <span class={`badge ${cls}`} data-testid="phase">
      {phaseLabel(phase)}
    </span>
  );
}

export function StatusBadge({ status }) {
  const cls = status === 'enrolled' || status === 'attended' ? 'badge-ok' : status === 'waitlisted' ? 'badge-open' : status === 'cancelled' || status === 'absent' ? 'badge-danger' : '';
  return (
    <span class={`badge ${cls}`} data-testid="enrolment-status">
      {statusLabel(status)}
    </span>
  );
}

/** "09:00:00" → "09:00". */
export const hhmm = (s) => String(s || '').slice(0, 5);

/** First–last session date. */
export function datesText(training) {
  const s = training.sessions || [];
  if (!s.length) return '';
  const first = s[0].date;
  const last = s[s.length - 1].date;
  return first === last ? fmtDate(first) : `${fmtDate(first)} – ${fmtDate(last)}`;
}

export function sessionText(s) {
  return `${fmtDate(s.date)}, ${hhmm(s.start)}–${hhmm(s.end)} (${fmtDecimal(s.hours)} ${t('training.hours')})`;
}

export function fmtDecimal(v) {
  const s = String(v ?? '');
  return getLang() === 'pl' ? s.replace('.', ',') : s;
}

export function fmtMoney(net) {
  const n = Number(net);
  if (Number.isNaN(n)) return String(net || '');
  return `${n.toLocaleString(getLang() === 'pl' ? 'pl-PL' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} zł`;
}

export function priceText(training) {
  const p = training.price || {};
  const n = Number(p.net);
  let s;
  if (!n) s = t('training.free');
  else if (p.vat && p.vat.kind === 'exempt') s = `${fmtMoney(p.net)} (${t('training.exemptShort')})`;
  else s = `${fmtMoney(p.net)} ${t('training.net')} + VAT ${p.vat ? p.vat.percent : ''}%`;
  if (training.membersFree && n) s += ` · ${t('training.membersFreeShort')}`;
  return s;
}

export function venueText(training) {
  if (training.online) return t('training.online');
  const v = training.venue;
  if (!v) return '';
  const a = v.address || {};
  return [v.name, [a.street, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')].filter(Boolean).join(' — ');
}

export function seatsText(seats) {
  if (!seats) return '';
  return t('training.seatsTaken', { taken: seats.taken, capacity: seats.capacity });
}

/** An API error with its field messages (a refused phase change says why in `fields`). */
export function apiErrorDetail(err) {
  if (err instanceof ApiError && err.body && Array.isArray(err.body.fields) && err.body.fields.length) {
    return err.body.fields.map((f) => msg({ pl: f.pl, en: f.en }) || f.code).join(' ');
  }
  return errorText(err);
}

/** Message of one refused enrolment result. */
export function resultError(r) {
  return r.error ? msg({ pl: r.error.pl, en: r.error.en }) || r.error.code : '';
}

/** Dates of an enrolment's training summary (`{startsOn?, endsOn?}`): "first – last". */
export function summaryDatesText(summary) {
  if (!summary || !summary.startsOn) return '';
  const { startsOn, endsOn } = summary;
  return !endsOn || endsOn === startsOn ? fmtDate(startsOn) : `${fmtDate(startsOn)} – ${fmtDate(endsOn)}`;
}

/** Venue of a training summary: a name, or "online". */
export function summaryVenueText(summary) {
  if (!summary || !summary.venue) return '';
  return summary.venue === 'online' ? t('training.online') : summary.venue;
}

/** Every page of a `{items, next}` list (small lists: a unit's persons, its enrolments). */
export async function fetchAll(path, max = 10) {
  let items = [];
  let cursor = null;
  for (let i = 0; i < max; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (Array.isArray(page)) return page;
    items = items.concat((page && page.items) || []);
    cursor = page && page.next;
    if (!cursor) break;
  }
  return items;
}
