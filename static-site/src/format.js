// Formatting helpers: dates in Europe/Warsaw, names, grammatical gender guess for labels.
import { getLang, t, tOr } from './i18n.js';

const TZ = 'Europe/Warsaw';

/** "2026-11-27" → "27.11.2026" (pl) / "27 Nov 2026" (en). */
export function fmtDate(d) {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return fmtDateTime(d);
  if (getLang() === 'pl') return `${m[3]}.${m[2]}.${m[1]}`;
  const dt = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return dt.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

/** RFC 3339 instant → local date and time in Warsaw. */
export function fmtDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(getLang() === 'pl' ? 'pl-PL' : 'en-GB', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Today's calendar date in Warsaw, "YYYY-MM-DD". */
export function todayWarsaw() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return parts;
}

export function fullName(p) {
  if (!p) return '';
  return [p.firstName, p.lastName].filter(Boolean).join(' ');
}

const MALE_A = new Set(['kuba', 'barnaba', 'bonawentura', 'kosma', 'jarema', 'zawisza', 'sasza', 'saba', 'bodzęta']);
/** Polish feminine first names end in -a (with a few male exceptions). Only used to pick a label's form. */
export function isFeminine(firstName) {
  const n = String(firstName || '').trim().toLowerCase();
  return n.endsWith('a') && !MALE_A.has(n);
}

export function unitKindLabel(kind) {
  return tOr(`unitKind.${kind}`, kind || '');
}

export function eventKindLabel(kind) {
  return tOr(`eventKind.${kind}`, String(kind || t('eventKind.other')).replace(/[_-]+/g, ' '));
}

export function personStatus(p) {
  if (p.status === 'left') return p.leftOn ? t('person.leftSince', { date: fmtDate(p.leftOn) }) : t('person.left');
  return t('person.active');
}

export function membershipText(u) {
  const m = u.membership || {};
  if (u.isMember) return m.memberSince ? t('unit.memberFrom', { date: fmtDate(m.memberSince) }) : t('unit.member');
  if (m.memberUntil) return t('unit.memberEnded', { date: fmtDate(m.memberUntil) });
  return t('unit.notMember');
}

export const UNIT_KINDS = [
  'gmina_miejska',
  'gmina_wiejska',
  'gmina_miejsko_wiejska',
  'powiat',
  'miasto_na_prawach_powiatu',
  'jednostka_organizacyjna',
  'inna',
];

export const SEGMENTS = ['EDU', 'LEX', 'PIAS+', 'CWE', 'ZZG/P'];
