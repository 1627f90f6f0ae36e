// Staff CRM: "Wysyłki" — the mailings list, compose/edit a draft (sender, linked training,
// audience: units by criteria / the training's invited list / chosen persons, positions, a live
// recipient count; the template with its placeholders), the mailing card (live progress, start,
// pause, resume, cancel, a preview for any recipient, the recipients with their delivery), the
// person card's and the training card's "Wysyłki" tabs, and the suppression list.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, normalizePage, useApi, usePaged, withQuery } from '../api.js';
import { fmtDateTime } from '../format.js';
import { getLang, msg, t, tOr } from '../i18n.js';
import { navigate } from '../router.js';
import { datesText } from '../trainings-common.jsx';
import { Checkbox, DataList, ErrorView, InlineError, Loading, MoreButton, SelectField, SubNav, TextField, errorText, toast } from '../ui.jsx';
import { CriteriaEditor, CriteriaText, fieldErrors, listDraft, listInput, NO_ERRORS, sectionOf } from './criteria.jsx';
import { Picked, PersonSearch, useNames, usePowiaty } from './search.jsx';
import { EditField, MessagePreview, PlaceholderList, usePlaceholderInsert } from './templates.jsx';

const tm = (key, params) => t(`mailings.${key}`, params);
const mailingHref = (id) => `#/crm/mailings/${encodeURIComponent(id)}`;
const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;
const trainingHref = (id, tab) => `#/crm/trainings/${encodeURIComponent(id)}${tab ? `?tab=${tab}` : ''}`;
const COUNT_DELAY_MS = 400;
const POLL_MS = 2000;
const SAMPLE_ROWS = 10;
const KINDS = ['newsletter', 'invitation', 'service'];
const RECIPIENT_STATUSES = ['queued', 'sending', 'sent', 'failed', 'suppressed', 'unsubscribed'];

export const mailingKindLabel = (k) => tOr(`mailings.kinds.${k}`, k || '');

/** "1 odbiorca", "5 odbiorców" / "1 recipient", "5 recipients". */
export function recipientsCount(n) {
  if (n === 1) return tm('recipientsOne', { n });
  if (getLang() === 'pl') {
    const mod10 = n % 10;
    const mod100 = n % 100;
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return tm('recipientsFew', { n });
  }
  return tm('recipientsMany', { n });
}

export function MailingStatusBadge({ status }) {
  const cls = { sending: 'badge-open', preparing: 'badge-open', completed: 'badge-done', cancelled: 'badge-danger', paused: 'badge-seg' }[status] || '';
  return (
    <span class={`badge ${cls}`} data-testid="mailing-status" data-status={status}>
      {tOr(`mailings.statuses.${status}`, status)}
    </span>
  );
}

/* ---------- progress ---------- */

/** Recipients that reached a final sending status (as the server counts `percent`). */
const processed = (p) => (p.sent || 0) + (p.failed || 0) + (p.suppressed || 0) + (p.unsubscribed || 0);

/**
 * The progress bar of a mailing: delivered, sent (not confirmed yet), bounced, not sent
 * (failed, suppressed, unsubscribed) of the total; `detailed` adds the counts.
 */
export function MailingProgress({ mailing, detailed }) {
  const p = mailing.progress || {};
  const total = p.total || 0;
  if (!total) return detailed ? <p class="muted">{tm('noRecipientsYet')}</p> : <span class="muted">—</span>;
  const sent = p.sent || 0;
  const delivered = Math.min(p.delivered || 0, sent);
  const bounced = Math.min(p.bounced || 0, sent - delivered);
  const segments = [
    ['delivered', delivered],
    ['sent', Math.max(0, sent - delivered - bounced)],
    ['bounced', bounced],
    ['skipped', (p.failed || 0) + (p.suppressed || 0) + (p.unsubscribed || 0)],
  ];
  const percent = mailing.percent ?? Math.floor((Math.min(processed(p), total) * 100) / total);
  const shown = ['sent', 'delivered', 'bounced', 'opened', ...(detailed ? ['clicked', 'complained', 'failed', 'suppressed', 'unsubscribed'].filter((k) => p[k] > 0) : [])];
  return (
    <div class={`mprogress ${detailed ? 'mprogress-detailed' : ''}`}>
      <div class="mprogress-row">
        <div class="mprogress-bar" role="progressbar" aria-label={tm('progressLabel')} aria-valuemin="0" aria-valuemax="100" aria-valuenow={percent} aria-valuetext={tm('progressOf', { done: processed(p), total, percent })} data-testid="mailing-progress" data-percent={percent}>
          {segments
            .filter(([, n]) => n > 0)
            .map(([k, n]) => (
              <span key={k} class={`mprogress-seg seg-${k}`} style={{ width: `${(n * 100) / total}%` }} />
            ))}
        </div>
        <span class="mprogress-percent" data-testid="mailing-percent">
          {percent} %
        </span>
      </div>
      <p class="mprogress-counts small" data-testid="mailing-counts">
        {shown.map((k, i) => (
          <span key={k} class={`mcount mcount-${k}`}>
            {i > 0 && ' · '}
            {tm(`stats.${k}`)} <strong data-testid={`count-${k}`}>{p[k] || 0}</strong>
            {k === 'sent' && ` / ${total}`}
          </span>
        ))}
      </p>
    </div>
  );
}

/* ---------- recipients: status, delivery ---------- */

const OUTCOME_CLASS = { delivered: 'badge-ok', opened: 'badge-ok', clicked: 'badge-ok', delayed: 'badge-open', pending: '', bounced: 'badge-danger', rejected: 'badge-danger', complained: 'badge-danger' };
const STATUS_CLASS = { sent: 'badge-ok', failed: 'badge-danger', suppressed: 'badge-danger', unsubscribed: 'badge-seg', queued: '', sending: 'badge-open' };

/** When each thing happened to one recipient's message, as `[key, at]` pairs. */
function timesOf(r) {
  const d = r.delivery || {};
  return [
    ['sent', r.sentAt],
    ['delivered', d.deliveredAt],
    ['delayed', d.delayedAt],
    ['bounced', d.bouncedAt],
    ['complained', d.complainedAt],
    ['rejected', d.rejectedAt],
    ['opened', d.openedAt],
    ['clicked', d.clickedAt],
  ].filter(([, at]) => at);
}

/** Sent / delivered / bounced / opened … times of a recipient (one line each). */
export function DeliveryTimes({ r }) {
  const rows = timesOf(r);
  const d = r.delivery || {};
  if (!rows.length) return <span class="muted">—</span>;
  return (
    <ul class="times" data-testid="delivery-times">
      {rows.map(([k, at]) => (
        <li key={k} data-event={k}>
          <time dateTime={at}>{tm(`times.${k}`, { at: fmtDateTime(at) })}</time>
          {k === 'bounced' && d.bounceType && <span class="muted"> ({d.bounceType})</span>}
        </li>
      ))}
    </ul>
  );
}

/** The recipient's sending status, and once sent what SES reported (times on hover). */
export function RecipientState({ r }) {
  const title = timesOf(r)
    .map(([k, at]) => tm(`times.${k}`, { at: fmtDateTime(at) }))
    .join('\n');
  return (
    <span class="recipient-state">
      <span class={`badge ${STATUS_CLASS[r.status] || ''}`} data-testid="recipient-status" data-status={r.status}>
        {tOr(`mailings.recipientStatuses.${r.status}`, r.status)}
      </span>
      {r.status === 'sent' && r.outcome && (
        <span class={`badge ${OUTCOME_CLASS[r.outcome] || ''}`} data-testid="recipient-outcome" data-outcome={r.outcome} title={title}>
          {tOr(`mailings.outcomes.${r.outcome}`, r.outcome)}
        </span>
      )}
      {r.failure && <span class="muted small"> {r.failure}</span>}
    </span>
  );
}

/* ---------- list ---------- */

function MailingsNav({ active }) {
  return (
    <SubNav
      label={tm('subnav')}
      testid="mailings-nav"
      active={active}
      items={[
        ['list', '/crm/mailings', tm('list')],
        ['suppressions', '/crm/mailings/suppressions', tm('suppressionsNav')],
      ]}
    />
  );
}

/** Mailings with status and progress (the list page and the training card). */
export function MailingsTable({ items }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="mailings-table">
        <thead>
          <tr>
            <th scope="col">{tm('name')}</th>
            <th scope="col">{tm('kind')}</th>
            <th scope="col">{tm('status')}</th>
            <th scope="col" class="mprogress-col">
              {tm('progress')}
            </th>
            <th scope="col">{tm('created')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id} data-mailing={m.id}>
              <td>
                <a href={mailingHref(m.id)}>{m.name}</a>
                {m.trainingTitle && <div class="muted small">{m.trainingTitle}</div>}
              </td>
              <td>{mailingKindLabel(m.kind)}</td>
              <td>
                <MailingStatusBadge status={m.status} />
              </td>
              <td>
                <MailingProgress mailing={m} />
              </td>
              <td class="nowrap">
                {fmtDateTime(m.createdAt)}
                {m.createdBy && <div class="muted small">{m.createdBy.name}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MailingsPage() {
  const list = usePaged('/api/staff/mailings');
  return (
    <section class="page" data-testid="mailings-page">
      <MailingsNav active="list" />
      <div class="page-head">
        <h1>{tm('title')}</h1>
        <a class="btn btn-primary" href="#/crm/mailings/new">
          {tm('new')}
        </a>
      </div>
      <div class="card flush">
        {list.loading && !list.items.length ? (
          <Loading />
        ) : list.error ? (
          <InlineError error={list.error} onRetry={list.reload} />
        ) : !list.items.length ? (
          <p class="muted pad">{tm('empty')}</p>
        ) : (
          <>
            <MailingsTable items={list.items} />
            <MoreButton list={list} />
          </>
        )}
      </div>
    </section>
  );
}

/* ---------- compose ---------- */

const FORM_FIELDS = ['name', 'kind', 'senderName', 'senderAddress', 'trainingId', 'subject', 'text', 'html'];

/** Where a server field's error shows in the compose form. */
function mailingSection(field) {
  const f = String(field || '');
  if (FORM_FIELDS.includes(f)) return f;
  if (f.startsWith('audience.personIds')) return 'picked';
  if (f.startsWith('audience.positions')) return 'positions';
  if (f.startsWith('audience.units.')) return sectionOf(f) || 'audience';
  if (f.startsWith('audience')) return 'audience';
  return null;
}

const splitPositions = (s) =>
  String(s || '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The compose form's state of a stored mailing (or of a new one, from the editor's defaults). */
function formState(editor, mailing, training) {
  if (!mailing) {
    return {
      name: training ? tm('invitationName', { title: training.title }) : '',
      kind: training ? 'invitation' : 'newsletter',
      senderName: 'WOKiSS',
      senderAddress: editor.defaultSender || '',
      trainingId: training ? training.id : '',
      source: training ? 'training' : 'units',
      units: listDraft(null),
      picked: [],
      positions: '',
      includeInactive: false,
      ...editor.template,
    };
  }
  const a = mailing.audience || {};
  const filter = a.persons && !Array.isArray(a.persons) ? a.persons : {};
  return {
    name: mailing.name,
    kind: mailing.kind,
    senderName: mailing.sender.name,
    senderAddress: mailing.sender.address,
    trainingId: mailing.trainingId || '',
    source: a.source === 'training_invited' ? 'training' : a.source || 'units',
    units: listDraft(a.source === 'units' ? a.units : null),
    picked: (a.source === 'persons' ? a.personIds || [] : []).map((id) => ({ id, label: null })),
    positions: (filter.positions || []).join(', '),
    includeInactive: !!filter.includeInactive,
    ...mailing.template,
  };
}

/** Nothing chosen yet (the count would only say so). */
function audienceEmpty(v) {
  if (v.source === 'persons') return !v.picked.length;
  if (v.source === 'training') return !v.trainingId;
  const u = listInput(v.units);
  const c = u.criteria;
  return !c.powiaty.length && !c.unitKinds.length && !c.segments.length && c.membersOnly === undefined && !c.maxDistanceKm && !u.unitIds.length && !u.personIds.length;
}

/** The audience of the form as AudienceInput. */
function audienceInput(v) {
  if (v.source === 'persons') return { source: 'persons', personIds: v.picked.map((p) => p.id) };
  const a = { source: v.source, positions: splitPositions(v.positions), includeInactive: v.includeInactive };
  if (v.source === 'units') a.units = listInput(v.units);
  return a;
}

function mailingInput(v) {
  const body = {
    name: v.name.trim(),
    kind: v.kind,
    subject: v.subject,
    text: v.text,
    html: v.html,
    senderName: v.senderName.trim(),
    senderAddress: v.senderAddress.trim(),
    audience: audienceInput(v),
  };
  if (v.trainingId) body.trainingId = v.trainingId;
  return body;
}

/**
 * Debounced POST `path` of `body` (nothing saved): `{data, error, errors, loading}`, where
 * `errors` are the 422 fields by section (`sectionFor`). `path` null: no request.
 */
function useDebouncedPost(path, body, sectionFor) {
  const key = JSON.stringify(body);
  const [state, setState] = useState({ data: null, error: null, errors: NO_ERRORS, loading: !!path });
  useEffect(() => {
    if (!path) {
      setState({ data: null, error: null, errors: NO_ERRORS, loading: false });
      return undefined;
    }
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api(path, { method: 'POST', body: JSON.parse(key), signal: ctrl.signal }).then(
        (data) => setState({ data, error: null, errors: NO_ERRORS, loading: false }),
        (err) => {
          if (err.name === 'AbortError') return;
          const fe = fieldErrors(err, sectionFor);
          setState({ data: null, error: fe.any ? null : err, errors: fe, loading: false });
        },
      );
    }, COUNT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [path, key]);
  return state;
}

/** Trainings a mailing may invite to (planned, recruiting, running) plus the linked one. */
function useTrainingChoices(linked) {
  const planned = useApi('/api/staff/trainings?phase=planned&limit=100');
  const recruiting = useApi('/api/staff/trainings?phase=recruiting&limit=100');
  const running = useApi('/api/staff/trainings?phase=running&limit=100');
  const all = [recruiting, planned, running].flatMap((r) => normalizePage(r.data).items);
  if (linked && !all.some((x) => x.id === linked.id)) all.unshift(linked);
  return all;
}

/** "N odbiorców w M jednostkach", those without an address, and the first recipients. */
export function AudienceSummary({ preview, title = tm('count') }) {
  const d = preview.data;
  const sample = d ? d.sample || [] : [];
  return (
    <section class="card subcard" aria-labelledby="audience-title" aria-busy={preview.loading ? 'true' : 'false'} data-testid="audience-preview">
      <h3 class="card-title" id="audience-title">
        {title}
      </h3>
      <p role="status" aria-live="polite">
        {preview.loading && !d ? (
          <span class="muted">{tm('counting')}</span>
        ) : preview.error ? (
          <span class="field-error">{errorText(preview.error)}</span>
        ) : preview.errors.any ? (
          <span class="field-error">{tm('countInvalid')}</span>
        ) : !d ? (
          <span class="muted">{tm('chooseAudience')}</span>
        ) : (
          <>
            <strong data-testid="audience-count" data-total={d.total}>
              {recipientsCount(d.total)}
            </strong>
            {d.units > 0 && <span> {tm('inUnits', { n: d.units })}</span>}
            {d.withoutEmail > 0 && <span class="muted"> · {tm('withoutEmail', { n: d.withoutEmail })}</span>}
          </>
        )}
        {preview.loading && d && <span class="muted"> · {tm('counting')}</span>}
      </p>
      {preview.errors.other.length > 0 && (
        <ul class="field-error">
          {preview.errors.other.map((o) => (
            <li key={o.field}>{o.text}</li>
          ))}
        </ul>
      )}
      {sample.length > 0 && (
        <>
          <h4 class="subhead">{tm('sampleTitle')}</h4>
          <table class="table compact" data-testid="audience-sample">
            <thead>
              <tr>
                <th scope="col">{tm('person')}</th>
                <th scope="col">{tm('email')}</th>
                <th scope="col">{tm('unit')}</th>
              </tr>
            </thead>
            <tbody>
              {sample.slice(0, SAMPLE_ROWS).map((r) => (
                <tr key={r.personId}>
                  <td>
                    <a href={personHref(r.personId)}>{r.name}</a>
                  </td>
                  <td>{r.email}</td>
                  <td>{r.unitName}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.total > Math.min(sample.length, SAMPLE_ROWS) && <p class="muted small">{tm('sampleMore', { n: d.total - Math.min(sample.length, SAMPLE_ROWS) })}</p>}
        </>
      )}
    </section>
  );
}

export function MailingNew({ query }) {
  const trainingId = query.get('trainingId') || '';
  const editor = useApi('/api/staff/mailings/editor');
  const card = useApi(trainingId ? `/api/staff/trainings/${encodeURIComponent(trainingId)}` : null);
  if (editor.error || card.error) return <ErrorView error={editor.error || card.error} />;
  if (!editor.data || (trainingId && !card.data)) return <Loading />;
  const training = card.data ? card.data.training : null;
  return (
    <section class="page">
      <p class="crumbs">
        <a href="#/crm/mailings">{tm('title')}</a>
        {training && (
          <>
            {' / '}
            <a href={trainingHref(training.id, 'mailings')}>{training.title}</a>
          </>
        )}
      </p>
      <h1>{tm('newTitle')}</h1>
      <MailingForm editor={editor.data} initial={formState(editor.data, null, training)} linked={training} />
    </section>
  );
}

export function MailingEdit({ id }) {
  const editor = useApi('/api/staff/mailings/editor');
  const res = useApi(`/api/staff/mailings/${encodeURIComponent(id)}`);
  const linkedId = res.data && res.data.trainingId;
  const card = useApi(linkedId ? `/api/staff/trainings/${encodeURIComponent(linkedId)}` : null);
  if (editor.error || res.error) return <ErrorView error={editor.error || res.error} />;
  if (!editor.data || !res.data || (linkedId && !card.data && !card.error)) return <Loading />;
  const m = res.data;
  return (
    <section class="page">
      <p class="crumbs">
        <a href="#/crm/mailings">{tm('title')}</a> / <a href={mailingHref(m.id)}>{m.name}</a>
      </p>
      <h1>{tm('editTitle', { name: m.name })}</h1>
      {m.status !== 'draft' ? <p class="note">{tm('notDraft')}</p> : <MailingForm editor={editor.data} initial={formState(editor.data, m)} mailing={m} linked={card.data ? card.data.training : null} />}
    </section>
  );
}

function MailingForm({ editor, initial, mailing, linked }) {
  const [v, setV] = useState(initial);
  const [errors, setErrors] = useState(NO_ERRORS);
  const [summary, setSummary] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k, value) => {
    setV((x) => ({ ...x, [k]: value }));
    // An edited field's error from the last save is out of date.
    if (errors.bySection[k]) setErrors((e) => ({ ...e, bySection: { ...e.bySection, [k]: undefined } }));
  };
  const setPart = (part, value) => set(part, value);
  const { refs, focus, focusedPart, insert } = usePlaceholderInsert(v, setPart);
  const powiaty = usePowiaty();
  const trainings = useTrainingChoices(linked);
  const training = trainings.find((x) => x.id === v.trainingId) || (linked && linked.id === v.trainingId ? linked : null);
  const unitNames = useNames('units', v.units.units.filter((u) => !u.label).map((u) => u.id));
  const pickedNames = useNames('persons', v.picked.filter((p) => !p.label).map((p) => p.id));
  const countBody = { audience: audienceInput(v), ...(v.trainingId ? { trainingId: v.trainingId } : {}) };
  const count = useDebouncedPost(audienceEmpty(v) ? null : '/api/staff/mailings/audience', countBody, mailingSection);

  const [previewFor, setPreviewFor] = useState('');
  const previewBody = { name: v.name.trim(), kind: v.kind, subject: v.subject, text: v.text, html: v.html, ...(v.trainingId ? { trainingId: v.trainingId } : {}) };
  const preview = useDebouncedPost(withQuery('/api/staff/mailings/preview', { personId: previewFor }), previewBody, mailingSection);

  // The live count's and the live preview's errors are newer than the last save's.
  const errOf = (section) => preview.errors.bySection[section] || count.errors.bySection[section] || errors.bySection[section] || '';
  const audienceErr = errOf('audience');

  const onSubmit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors(NO_ERRORS);
    setSummary(null);
    try {
      const body = mailingInput(v);
      const saved = mailing ? await api(`/api/staff/mailings/${encodeURIComponent(mailing.id)}`, { method: 'PUT', body }) : await api('/api/staff/mailings', { method: 'POST', body });
      toast(tm('saved', { name: saved.name }));
      navigate(`/crm/mailings/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      const fe = fieldErrors(err, mailingSection);
      if (fe.any) {
        setErrors(fe);
        setSummary({ text: err.body && err.body.message ? msg(err.body.message) : t('common.fixErrors'), other: fe.other });
      } else if (!(err instanceof ApiError && err.status === 401)) {
        setSummary({ text: errorText(err), other: [] });
      }
      setBusy(false);
    }
  };

  const resetTemplate = () => {
    if (confirm(tm('resetConfirm'))) setV((x) => ({ ...x, ...editor.template }));
  };

  const distanceNote = !training ? (
    <p class="notice small" data-testid="distance-needs-training">
      {tm('distanceNeedsTraining')}
    </p>
  ) : training.venue ? (
    <p class="muted small">{t('training.inv.distanceFrom', { venue: training.venue.name })}</p>
  ) : (
    <p class="notice small">{t('training.inv.distanceNoVenue')}</p>
  );
  const trainingOptions = [{ value: '', label: tm('noTraining') }, ...trainings.map((x) => ({ value: x.id, label: [x.title, datesText(x)].filter(Boolean).join(' · ') }))];

  return (
    <form class="stack mailing-form" aria-label={mailing ? tm('editTitle', { name: mailing.name }) : tm('newTitle')} onSubmit={onSubmit} noValidate data-testid="mailing-form">
      {summary && (
        <div class="form-summary" role="alert" data-testid="form-error">
          <p>{summary.text}</p>
          {summary.other.length > 0 && (
            <ul>
              {summary.other.map((o) => (
                <li key={o.field}>
                  <code>{o.field}</code>: {o.text}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <section class="card form" aria-labelledby="mailing-data-title">
        <h2 class="card-title" id="mailing-data-title">
          {tm('dataTitle')}
        </h2>
        <div class="grid-2">
          <TextField label={tm('name')} name="name" required value={v.name} hint={tm('nameHint')} onInput={(e) => set('name', e.currentTarget.value)} error={errOf('name')} />
          <SelectField label={tm('kind')} name="kind" value={v.kind} hint={tm('kindHint')} options={KINDS.map((k) => ({ value: k, label: mailingKindLabel(k) }))} onInput={(e) => set('kind', e.currentTarget.value)} error={errOf('kind')} />
          <SelectField label={tm('training')} name="trainingId" value={v.trainingId} hint={tm('trainingHint')} options={trainingOptions} onInput={(e) => set('trainingId', e.currentTarget.value)} error={errOf('trainingId')} />
          <div />
          <TextField label={tm('senderName')} name="senderName" value={v.senderName} onInput={(e) => set('senderName', e.currentTarget.value)} error={errOf('senderName')} />
          <TextField label={tm('senderAddress')} name="senderAddress" type="email" required value={v.senderAddress} hint={tm('senderHint', { domain: editor.senderDomain })} onInput={(e) => set('senderAddress', e.currentTarget.value)} error={errOf('senderAddress')} />
        </div>
      </section>

      <section class="card form" aria-labelledby="mailing-audience-title" data-testid="mailing-audience">
        <h2 class="card-title" id="mailing-audience-title">
          {tm('audienceTitle')}
        </h2>
        <fieldset class={`fieldset ${audienceErr ? 'fieldset-error' : ''}`} data-testid="audience-source">
          <legend>{tm('source')}</legend>
          <div class="check-inline">
            {['units', 'training', 'persons'].map((s) => (
              <label key={s} class="radio">
                <input type="radio" name="audience-source" value={s} checked={v.source === s} onChange={() => set('source', s)} /> {tm(`sources.${s}`)}
              </label>
            ))}
          </div>
          {audienceErr && (
            <p class="field-error" data-testid="field-error">
              {audienceErr}
            </p>
          )}
        </fieldset>

        {v.source === 'units' && <CriteriaEditor draft={v.units} onChange={(d) => set('units', d)} errOf={errOf} powiaty={powiaty} unitNames={unitNames} distanceNote={distanceNote} />}
        {v.source === 'training' &&
          (training ? (
            <p class="note">
              {tm('sourceTrainingText', { title: training.title })} <a href={trainingHref(training.id, 'invited')}>{tm('sourceTrainingLink')}</a>
            </p>
          ) : (
            <p class="notice">{tm('sourceTrainingNeeds')}</p>
          ))}
        {v.source === 'persons' && (
          <fieldset class={`fieldset ${errOf('picked') ? 'fieldset-error' : ''}`} data-testid="audience-persons">
            <legend>{tm('handPicked')}</legend>
            <Picked items={v.picked.map((p) => ({ id: p.id, label: p.label || pickedNames[p.id] || p.id }))} empty={tm('noHandPicked')} onRemove={(id) => set('picked', v.picked.filter((p) => p.id !== id))} />
            <PersonSearch label={tm('addPerson')} excludeIds={v.picked.map((p) => p.id)} onPick={(p) => set('picked', [...v.picked, { id: p.id, label: p.label }])} />
            {errOf('picked') && (
              <p class="field-error" data-testid="field-error">
                {errOf('picked')}
              </p>
            )}
          </fieldset>
        )}
        {v.source !== 'persons' && (
          <div class="grid-2">
            <TextField label={tm('positions')} name="positions" value={v.positions} hint={tm('positionsHint')} onInput={(e) => set('positions', e.currentTarget.value)} error={errOf('positions')} />
            <div class="field">
              <Checkbox label={tm('includeInactive')} checked={v.includeInactive} onChange={(on) => set('includeInactive', on)} />
            </div>
          </div>
        )}
        <AudienceSummary preview={count} />
      </section>

      <div class="templates-editor">
        <section class="card form" aria-labelledby="mailing-content-title">
          <div class="page-head">
            <h2 class="card-title" id="mailing-content-title">
              {tm('contentTitle')}
            </h2>
            <button type="button" class="btn btn-small" onClick={resetTemplate}>
              {tm('resetTemplate')}
            </button>
          </div>
          <p class="muted small">{tm('contentHint')}</p>
          <EditField part="subject" label={tm('subject')} value={v.subject} error={errOf('subject')} inputRef={refs.subject} onInput={(e) => setPart('subject', e.currentTarget.value)} onFocus={focus('subject')} />
          <EditField part="text" label={tm('text')} multiline rows={10} value={v.text} error={errOf('text')} inputRef={refs.text} onInput={(e) => setPart('text', e.currentTarget.value)} onFocus={focus('text')} />
          <EditField part="html" label={tm('html')} multiline rows={10} value={v.html} error={errOf('html')} inputRef={refs.html} onInput={(e) => setPart('html', e.currentTarget.value)} onFocus={focus('html')} />
        </section>
        <aside class="templates-side">
          <PlaceholderList placeholders={editor.placeholders} focusedPart={focusedPart} onInsert={insert} />
        </aside>
      </div>

      <FormPreview preview={preview} personId={previewFor} onPersonId={setPreviewFor} choices={(count.data && count.data.sample) || []} />

      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : tm('save')}
        </button>
        <a class="btn" href={mailing ? mailingHref(mailing.id) : '#/crm/mailings'}>
          {t('common.cancel')}
        </a>
      </div>
    </form>
  );
}

/* ---------- card ---------- */

/** Delivery events still expected: sent messages without a delivery/bounce/reject fact, lately. */
function awaitingEvents(m) {
  const p = m.progress || {};
  if (m.status !== 'completed' || !p.sent) return false;
  if ((p.delivered || 0) + (p.bounced || 0) >= p.sent) return false;
  const since = Date.parse(m.finishedAt || m.updatedAt || m.startedAt || 0);
  return Date.now() - since < 10 * 60_000;
}

function AudienceText({ mailing, powiatName }) {
  const a = mailing.audience || {};
  const filter = a.persons && !Array.isArray(a.persons) ? a.persons : {};
  const names = useNames('persons', a.source === 'persons' ? a.personIds || [] : []);
  return (
    <div data-testid="mailing-audience-text">
      <p>{tm(`sources.${a.source === 'training_invited' ? 'training' : a.source}`)}</p>
      {a.source === 'units' && <CriteriaText criteria={a.units && a.units.criteria} powiatName={powiatName} />}
      {a.source === 'units' && ((a.units && a.units.unitIds) || []).length + ((a.units && a.units.personIds) || []).length > 0 && (
        <p class="muted small">{tm('byHand', { units: a.units.unitIds.length, persons: a.units.personIds.length })}</p>
      )}
      {a.source === 'persons' && (
        <p>
          {(a.personIds || []).map((id, i) => [
            i > 0 && ', ',
            <a key={id} href={personHref(id)}>
              {names[id] || id}
            </a>,
          ])}
        </p>
      )}
      {(filter.positions || []).length > 0 && (
        <p class="muted small">
          {tm('positions')}: {filter.positions.join(', ')}
        </p>
      )}
      {filter.includeInactive && <p class="muted small">{tm('includeInactive')}</p>}
    </div>
  );
}

export function MailingCard({ id }) {
  const path = `/api/staff/mailings/${encodeURIComponent(id)}`;
  const res = useApi(path);
  const m = res.data;
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState(null);
  const [status, setStatus] = useState('');
  const powiaty = usePowiaty();
  const powiatName = (code) => (powiaty.find((p) => p.teryt === code) || {}).name || code;
  const isDraft = m && m.status === 'draft';
  const audience = useApi(isDraft ? `${path}/audience` : null);
  const recipients = usePaged(m && !isDraft ? withQuery(`${path}/recipients`, { status }) : null);
  const live = m && (['preparing', 'sending'].includes(m.status) || awaitingEvents(m));
  const progressKey = m ? JSON.stringify([m.status, m.progress]) : '';

  // Live progress: the mailing is read again every 2 s while it is being prepared or sent (and
  // for a while after, as long as delivery events are still expected).
  useEffect(() => {
    if (!live) return undefined;
    let alive = true;
    const timer = setTimeout(() => {
      api(path).then(
        (next) => alive && res.setData(next),
        () => alive && res.setData({ ...m }),
      );
    }, POLL_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [m, live]);
  // The recipients table follows the progress.
  const [seenKey, setSeenKey] = useState(progressKey);
  useEffect(() => {
    if (progressKey === seenKey) return;
    setSeenKey(progressKey);
    if (m && !isDraft) recipients.reload();
  }, [progressKey]);

  if (res.loading && !m) return <Loading />;
  if (res.error && !m) return <ErrorView error={res.error} />;
  if (!m) return null;

  const act = async (action) => {
    setActionError(null);
    if (action === 'start') {
      let count;
      try {
        count = (await api(`${path}/audience`)).total;
      } catch (err) {
        setActionError(errorText(err));
        return;
      }
      if (!confirm(tm('startConfirm', { name: m.name, count: recipientsCount(count) }))) return;
    }
    if (action === 'cancel' && !confirm(tm('cancelConfirm', { name: m.name }))) return;
    setBusy(true);
    try {
      const next = await api(`${path}/${action}`, { method: 'POST' });
      res.setData(next);
      const toastKey = { start: 'startedToast', pause: 'paused', resume: 'resumed', cancel: 'cancelled' }[action];
      toast(tm(toastKey, { n: next.progress ? next.progress.total : 0 }));
    } catch (err) {
      setActionError(errorText(err));
      res.reload();
    } finally {
      setBusy(false);
    }
  };

  const p = m.progress || {};
  return (
    <section class="page" data-testid="mailing-card">
      <MailingsNav active="list" />
      <div class="page-head">
        <div>
          <h1 data-testid="mailing-name">{m.name}</h1>
          <p class="subtitle">
            <MailingStatusBadge status={m.status} /> {mailingKindLabel(m.kind)}
            {m.trainingId && (
              <>
                {' · '}
                <a href={trainingHref(m.trainingId, 'mailings')}>{m.trainingTitle || tm('training')}</a>
              </>
            )}
            {live && <span class="muted small"> · {tm('live')}</span>}
          </p>
        </div>
        <div class="actions">
          {isDraft && (
            <a class="btn" href={`${mailingHref(m.id)}/edit`}>
              {tm('edit')}
            </a>
          )}
          {isDraft && (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => act('start')} data-testid="mailing-start">
              {tm('start')}
            </button>
          )}
          {m.status === 'sending' && (
            <button type="button" class="btn" disabled={busy} onClick={() => act('pause')}>
              {tm('pause')}
            </button>
          )}
          {m.status === 'paused' && (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => act('resume')}>
              {tm('resume')}
            </button>
          )}
          {['draft', 'preparing', 'sending', 'paused'].includes(m.status) && (
            <button type="button" class="btn btn-warning" disabled={busy} onClick={() => act('cancel')}>
              {tm('cancel')}
            </button>
          )}
        </div>
      </div>
      {actionError && (
        <div class="form-summary" role="alert" data-testid="action-error">
          {actionError}
        </div>
      )}

      {!isDraft && (
        <section class="card" aria-labelledby="mailing-progress-title" data-testid="mailing-progress-card">
          <h2 class="card-title" id="mailing-progress-title">
            {tm('progress')}
          </h2>
          <MailingProgress mailing={m} detailed />
        </section>
      )}

      <section class="card">
        <h2 class="card-title">{tm('dataTitle')}</h2>
        <DataList
          rows={[
            [tm('sender'), `${m.sender.name} <${m.sender.address}>`],
            [tm('training'), m.trainingId && <a href={trainingHref(m.trainingId)}>{m.trainingTitle || m.trainingId}</a>],
            [tm('audienceTitle'), <AudienceText mailing={m} powiatName={powiatName} />],
            [tm('created'), `${fmtDateTime(m.createdAt)}${m.createdBy ? ` · ${m.createdBy.name}` : ''}`],
            [tm('started'), fmtDateTime(m.startedAt)],
            [tm('finished'), fmtDateTime(m.finishedAt)],
          ]}
        />
      </section>

      {isDraft && <AudienceSummary preview={{ ...audience, errors: NO_ERRORS }} title={tm('audienceNow')} />}

      <RecipientPreview mailing={m} choices={isDraft ? (audience.data ? audience.data.sample || [] : []) : recipients.items.map((r) => ({ personId: r.personId, name: `${r.firstName} ${r.lastName}`, email: r.email }))} />

      {!isDraft && (
        <section class="card flush" aria-labelledby="recipients-title" data-testid="mailing-recipients">
          <div class="card-head pad">
            <h2 class="card-title" id="recipients-title">
              {tm('recipients')} <span class="muted">({p.total || 0})</span>
            </h2>
            <SelectField
              label={tm('recipientStatus')}
              value={status}
              onInput={(e) => setStatus(e.currentTarget.value)}
              options={[{ value: '', label: tm('anyStatus') }, ...RECIPIENT_STATUSES.map((s) => ({ value: s, label: tm(`recipientStatuses.${s}`) }))]}
            />
          </div>
          <RecipientsTable list={recipients} />
        </section>
      )}
    </section>
  );
}

/**
 * The message as typed, rendered a moment after each change (nothing saved): with the samples or
 * for a person of the audience. While the template has an error the last good rendering stays,
 * marked stale, and the error is shown on its field.
 */
function FormPreview({ preview, personId, onPersonId, choices }) {
  const [shown, setShown] = useState(null);
  useEffect(() => {
    if (preview.data) setShown(preview.data);
  }, [preview.data]);
  const status = preview.loading ? 'loading' : preview.error || preview.errors.any ? 'invalid' : 'ok';
  const options = [{ value: '', label: tm('previewSample') }, ...choices.map((c) => ({ value: c.personId, label: `${c.name} — ${c.email}` }))];
  if (personId && !choices.some((c) => c.personId === personId)) options.push({ value: personId, label: personId });
  return (
    <MessagePreview message={shown} state={status} hint={personId ? tm('previewHint') : tm('previewSampleHint')} testid="mailing-form-preview">
      <div class="preview-for">
        <SelectField label={tm('previewFor')} name="formPreviewFor" value={personId} options={options} onInput={(e) => onPersonId(e.currentTarget.value)} />
      </div>
      {preview.error && <InlineError error={preview.error} />}
    </MessagePreview>
  );
}

function RecipientPreview({ mailing, choices }) {
  const [personId, setPersonId] = useState('');
  const [state, setState] = useState({ message: null, status: 'loading', error: null });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, status: 'loading', error: null }));
    api(`/api/staff/mailings/${encodeURIComponent(mailing.id)}/preview`, { method: 'POST', body: personId ? { personId } : {}, signal: ctrl.signal, sideEffectFree: true }).then(
      (message) => setState({ message, status: 'ok', error: null }),
      (error) => error.name !== 'AbortError' && setState((s) => ({ ...s, status: 'invalid', error })),
    );
    return () => ctrl.abort();
  }, [mailing.id, mailing.status === 'draft' ? mailing.version : 'fixed', personId]);
  const options = [{ value: '', label: tm('previewSample') }, ...choices.map((c) => ({ value: c.personId, label: `${c.name} — ${c.email}` }))];
  if (personId && !choices.some((c) => c.personId === personId)) options.push({ value: personId, label: personId });
  return (
    <MessagePreview message={state.message} state={state.status} hint={personId ? tm('previewHint') : tm('previewSampleHint')} testid="mailing-preview">
      <div class="preview-for">
        <SelectField label={tm('previewFor')} name="previewFor" value={personId} options={options} onInput={(e) => setPersonId(e.currentTarget.value)} />
      </div>
      {state.error && <InlineError error={state.error} />}
    </MessagePreview>
  );
}

function RecipientsTable({ list }) {
  if (list.loading && !list.items.length) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted pad">{tm('noRecipients')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="recipients-table">
          <thead>
            <tr>
              <th scope="col">{tm('person')}</th>
              <th scope="col">{tm('email')}</th>
              <th scope="col">{tm('recipientStatus')}</th>
              <th scope="col">{tm('events')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((r) => (
              <tr key={r.personId} data-person={r.personId} data-testid="recipient-row">
                <td>
                  <a href={personHref(r.personId)}>
                    {r.firstName} {r.lastName}
                  </a>
                  <div class="muted small">
                    <a href={unitHref(r.unitId)}>{r.unitName}</a>
                  </div>
                </td>
                <td>{r.email}</td>
                <td>
                  <RecipientState r={r} />
                </td>
                <td>
                  <DeliveryTimes r={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

/* ---------- person card, training card ---------- */

/** What mailings a person was sent (`items` of GET /persons/{id}/mailings). */
function PersonMailingsTable({ items }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="person-mailings">
        <thead>
          <tr>
            <th scope="col">{tm('mailing')}</th>
            <th scope="col">{tm('address')}</th>
            <th scope="col">{tm('recipientStatus')}</th>
            <th scope="col">{tm('events')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr key={x.mailingId} data-mailing={x.mailingId}>
              <td>
                <a href={mailingHref(x.mailingId)}>{x.mailingName}</a>
                <div class="muted small">{mailingKindLabel(x.kind)}</div>
              </td>
              <td>{x.email}</td>
              <td>
                <RecipientState r={x} />
              </td>
              <td>
                <DeliveryTimes r={x} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PersonMailingsTab({ personId }) {
  const base = `/api/staff/persons/${encodeURIComponent(personId)}`;
  const list = useApi(`${base}/mailings`);
  const sub = useApi(`${base}/subscription`);
  const u = sub.data && sub.data.unsubscription;
  const items = Array.isArray(list.data) ? list.data : [];
  return (
    <div class="stack" data-testid="person-mailings-tab">
      {sub.data && (
        <p class={u ? 'notice' : 'note'} data-testid="subscription" data-subscribed={u ? 'false' : 'true'}>
          {u ? (
            <>
              {tm('unsubscribed', { at: fmtDateTime(u.at) })}
              {u.mailingId && (
                <>
                  {' '}
                  (<a href={mailingHref(u.mailingId)}>{tm('unsubscribedVia')}</a>)
                </>
              )}
            </>
          ) : (
            tm('subscribed')
          )}
        </p>
      )}
      {sub.error && <InlineError error={sub.error} onRetry={sub.reload} />}
      <div class="card flush">
        {list.loading && !list.data ? <Loading /> : list.error ? <InlineError error={list.error} onRetry={list.reload} /> : !items.length ? <p class="muted pad">{tm('personNone')}</p> : <PersonMailingsTable items={items} />}
      </div>
    </div>
  );
}

/** The training card's "Wysyłki": its mailings, "Nowe zaproszenie", and "did X get it?". */
export function TrainingMailingsTab({ training }) {
  const list = useApi(`/api/staff/trainings/${encodeURIComponent(training.id)}/mailings`);
  const items = Array.isArray(list.data) ? list.data : [];
  return (
    <div class="stack" data-testid="training-mailings">
      <div class="toolbar">
        <a class="btn btn-primary" href={`#/crm/mailings/new?trainingId=${encodeURIComponent(training.id)}`}>
          {tm('newInvitation')}
        </a>
      </div>
      <div class="card flush">
        {list.loading && !list.data ? <Loading /> : list.error ? <InlineError error={list.error} onRetry={list.reload} /> : !items.length ? <p class="muted pad">{tm('trainingNone')}</p> : <MailingsTable items={items} />}
      </div>
      <InvitationLookup training={training} />
    </div>
  );
}

function InvitationLookup({ training }) {
  const [person, setPerson] = useState(null);
  const answer = useApi(person ? withQuery(`/api/staff/persons/${encodeURIComponent(person.id)}/mailings`, { trainingId: training.id }) : null);
  const items = Array.isArray(answer.data) ? answer.data : [];
  return (
    <section class="card form" aria-labelledby="lookup-title" data-testid="invitation-lookup">
      <h2 class="card-title" id="lookup-title">
        {tm('lookupTitle')}
      </h2>
      <p class="muted small">{tm('lookupHint')}</p>
      <PersonSearch label={tm('lookupPerson')} onPick={(p) => setPerson({ id: p.id, label: p.label })} testid="lookup-search" />
      {person && (
        <div role="status" data-testid="lookup-answer">
          {answer.loading && !answer.data ? (
            <Loading />
          ) : answer.error ? (
            <InlineError error={answer.error} />
          ) : !items.length ? (
            <p>{tm('lookupNone', { name: person.label })}</p>
          ) : (
            <>
              <p>
                <a href={personHref(person.id)}>{tm('lookupResult', { name: person.label })}</a>
              </p>
              <PersonMailingsTable items={items} />
            </>
          )}
        </div>
      )}
    </section>
  );
}

/* ---------- suppression list ---------- */

export function SuppressionsPage() {
  const list = usePaged('/api/staff/suppressions');
  const remove = async (s) => {
    if (!confirm(tm('removeConfirm', { email: s.email }))) return;
    try {
      await api(`/api/staff/suppressions/${encodeURIComponent(s.email)}`, { method: 'DELETE' });
      toast(tm('removed', { email: s.email }));
      list.reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  };
  return (
    <section class="page" data-testid="suppressions-page">
      <MailingsNav active="suppressions" />
      <div class="page-head">
        <div>
          <h1>{tm('suppressionsTitle')}</h1>
          <p class="subtitle">{tm('suppressionsIntro')}</p>
        </div>
      </div>
      <div class="card flush">
        {list.loading && !list.items.length ? (
          <Loading />
        ) : list.error ? (
          <InlineError error={list.error} onRetry={list.reload} />
        ) : !list.items.length ? (
          <p class="muted pad">{tm('suppressionsEmpty')}</p>
        ) : (
          <>
            <div class="table-wrap">
              <table class="table" data-testid="suppressions-table">
                <thead>
                  <tr>
                    <th scope="col">{tm('email')}</th>
                    <th scope="col">{tm('reason')}</th>
                    <th scope="col">{tm('at')}</th>
                    <th scope="col">{tm('person')}</th>
                    <th scope="col">
                      <span class="visually-hidden">{tm('remove')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((s) => (
                    <tr key={s.email} data-email={s.email}>
                      <td>{s.email}</td>
                      <td>
                        <span class="badge badge-danger">{tOr(`mailings.reasons.${s.reason}`, s.reason)}</span>
                        {s.detail && <div class="muted small">{s.detail}</div>}
                      </td>
                      <td class="nowrap">
                        {fmtDateTime(s.at)}
                        {s.mailingId && (
                          <div class="small">
                            <a href={mailingHref(s.mailingId)}>{tm('mailing')}</a>
                          </div>
                        )}
                      </td>
                      <td>{s.personId ? <a href={personHref(s.personId)}>{tm('person')}</a> : <span class="muted">—</span>}</td>
                      <td class="row-actions">
                        <button type="button" class="btn btn-small" onClick={() => remove(s)}>
                          {tm('remove')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <MoreButton list={list} />
          </>
        )}
      </div>
    </section>
  );
}
