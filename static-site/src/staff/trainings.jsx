// Staff CRM: trainings list (by phase or month), new/edit form (sessions, venue, trainers,
// price, deadlines, visibility), training card (phases, seats, enrolled, waiting list,
// cancelled, attendance, "Zapisz osoby", invited list, certificates, history), the person card's
// "Szkolenia" (with the person's certificates) and the unit card's "Szkolenia" tabs.
import { useState } from 'preact/hooks';
import { api, useApi, usePaged, withQuery } from '../api.js';
import { fmtDate, fmtDateTime } from '../format.js';
import { msg, t } from '../i18n.js';
import { href, navigate } from '../router.js';
import {
  apiErrorDetail,
  datesText,
  hhmm,
  outcomeLabel,
  PHASES,
  phaseLabel,
  PhaseBadge,
  priceText,
  resultError,
  seatsText,
  sessionText,
  StatusBadge,
  summaryDatesText,
  summaryVenueText,
  venueText,
} from '../trainings-common.jsx';
import { Checkbox, checkFields, DataList, ErrorView, FormActions, FormSummary, InlineError, Loading, MoreButton, SelectField, TabPanel, Tabs, TextArea, TextField, toast, useForm } from '../ui.jsx';
import { Timeline } from './activity.jsx';
import { InvitedTab } from './invited.jsx';
import { TrainingMailingsTab } from './mailings.jsx';
import { PersonCertificates, TrainingCertificatesTab } from './certificates.jsx';
import { Picked, PersonSearch, UnitPicker, useNames } from './search.jsx';

export { PersonSearch };

const trainingHref = (id) => `#/crm/trainings/${encodeURIComponent(id)}`;
const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;

/* ---------- list ---------- */

export function TrainingsList({ query }) {
  const phase = PHASES.includes(query.get('phase')) ? query.get('phase') : 'recruiting';
  const month = /^\d{4}-\d{2}$/.test(query.get('month') || '') ? query.get('month') : '';
  const list = usePaged(withQuery('/api/staff/trainings', month ? { month } : { phase }));
  const setQ = (next) => navigate(href('/crm/trainings', { phase, month, ...next }).slice(1), { replace: true });
  return (
    <section class="page" data-testid="trainings-list">
      <div class="page-head">
        <h1>{t('training.title')}</h1>
        <a class="btn btn-primary" href="#/crm/trainings/new">
          {t('training.new')}
        </a>
      </div>
      <div class="toolbar training-filters">
        {!month && <Tabs label={t('training.byPhase')} active={phase} onChange={(p) => setQ({ phase: p })} tabs={PHASES.map((p) => ({ id: p, label: phaseLabel(p) }))} />}
        <div class="month-filter">
          <TextField label={t('training.month')} type="month" value={month} hint={t('training.monthHint')} onInput={(e) => setQ({ month: e.currentTarget.value })} />
          {month && (
            <button type="button" class="btn btn-small" onClick={() => setQ({ month: '' })}>
              {t('training.clearMonth')}
            </button>
          )}
        </div>
      </div>
      <div class="card flush" role="tabpanel">
        <TrainingsTable list={list} showPhase={!!month} />
      </div>
    </section>
  );
}

function TrainingsTable({ list, showPhase }) {
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted pad">{t('training.empty')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="trainings-table">
          <thead>
            <tr>
              <th scope="col">{t('training.name')}</th>
              <th scope="col">{t('training.dates')}</th>
              <th scope="col">{t('training.venue')}</th>
              <th scope="col">{t('training.seats')}</th>
              <th scope="col">{t('training.price')}</th>
              {showPhase && <th scope="col">{t('training.phase')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.items.map((tr) => (
              <tr key={tr.id}>
                <td>
                  <a href={trainingHref(tr.id)}>{tr.title}</a>
                  <div class="muted small">
                    <span class="badge badge-seg">{tr.segment}</span>
                    {tr.kindCode}
                  </div>
                </td>
                <td class="nowrap">{datesText(tr) || <span class="muted">—</span>}</td>
                <td>{tr.online ? t('training.online') : tr.venue ? `${tr.venue.name}, ${tr.venue.address?.city || ''}` : <span class="muted">—</span>}</td>
                <td class="nowrap" data-testid="list-seats">{tr.seats ? seatsText(tr.seats) : tr.capacity}</td>
                <td>{priceText(tr)}</td>
                {showPhase && (
                  <td>
                    <PhaseBadge phase={tr.phase} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

/* ---------- venue ---------- */

function VenueForm({ onCreated, onCancel }) {
  const form = useForm({ name: '', street: '', postalCode: '', city: '', capacity: '', latitude: '', longitude: '' });
  const onSubmit = form.submit(
    async (v) => {
      const body = {
        name: v.name.trim(),
        capacity: Number(v.capacity),
        latitude: v.latitude.trim().replace(',', '.'),
        longitude: v.longitude.trim().replace(',', '.'),
        address: { street: v.street.trim(), postalCode: v.postalCode.trim(), city: v.city.trim() },
      };
      const venue = await api('/api/staff/venues', { method: 'POST', body });
      toast(t('training.venueCreated', { name: venue.name }));
      onCreated(venue);
    },
    (v) => checkFields(v, { required: ['name', 'city', 'capacity', 'latitude', 'longitude'] }),
  );
  // A nested <form> is not allowed: this block submits through its own button.
  return (
    <div class="card subcard form" role="group" aria-label={t('training.newVenueTitle')} data-testid="venue-form">
      <h3 class="card-title">{t('training.newVenueTitle')}</h3>
      <FormSummary form={form} />
      <div class="grid-2">
        <TextField label={t('training.venueName')} required {...form.bind('name')} />
        <TextField label={t('training.venueCapacity')} type="number" min="1" required {...form.bind('capacity')} />
        <TextField label={t('unit.street')} {...form.bind('street')} />
        <TextField label={t('unit.postalCode')} {...form.bind('postalCode')} />
        <TextField label={t('unit.city')} required {...form.bind('city')} />
        <TextField label={t('training.latitude')} required placeholder="52.406374" {...form.bind('latitude')} />
        <TextField label={t('training.longitude')} required placeholder="16.925168" {...form.bind('longitude')} />
      </div>
      <div class="form-actions">
        <button type="button" class="btn btn-primary" disabled={form.busy} onClick={onSubmit}>
          {form.busy ? t('common.saving') : t('common.add')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}

/* ---------- training form ---------- */

const SESSION_FIELDS = Array.from({ length: 30 }, (_, i) => ['date', 'start', 'end', 'hours'].map((k) => `sessions[${i}].${k}`)).flat();
const FIELDS = ['kind', 'title', 'description', 'sessions', 'venueId', 'online', 'trainerIds', 'capacity', 'minParticipants', 'priceNet', 'vat', 'vatExemptBasis', 'membersFree', 'enrolmentDeadline', 'cancellationDeadline', 'visibility', 'visibleUnitIds'];

function initialValues(tr) {
  if (!tr) {
    return {
      kind: '',
      title: '',
      description: '',
      sessions: [{ date: '', start: '09:00', end: '15:00', hours: '' }],
      venueId: '',
      online: false,
      trainers: [],
      capacity: '',
      minParticipants: '',
      priceNet: '',
      vat: 'zw',
      vatExemptBasis: '',
      membersFree: false,
      enrolmentDeadline: '',
      cancellationDeadline: '',
      visibility: 'public',
      units: [],
    };
  }
  const vat = tr.price && tr.price.vat;
  return {
    kind: tr.kindCode,
    title: tr.title,
    description: tr.description || '',
    sessions: (tr.sessions || []).map((s) => ({ date: s.date, start: hhmm(s.start), end: hhmm(s.end), hours: String(s.hours || '').replace('.', ',') })),
    venueId: tr.venue ? tr.venue.id : '',
    online: !!tr.online,
    trainers: (tr.trainers || []).map((x) => ({ id: x.personId, label: x.name })),
    capacity: String(tr.capacity ?? ''),
    minParticipants: String(tr.minParticipants ?? ''),
    priceNet: String(tr.price?.net ?? '').replace('.', ','),
    vat: vat && vat.kind === 'exempt' ? 'zw' : vat ? vat.percent : 'zw',
    vatExemptBasis: vat && vat.kind === 'exempt' ? vat.basis || '' : '',
    membersFree: !!tr.membersFree,
    enrolmentDeadline: tr.enrolmentDeadline || '',
    cancellationDeadline: tr.cancellationDeadline || '',
    visibility: tr.visibility ? tr.visibility.kind : 'public',
    units: tr.visibility && tr.visibility.kind === 'units' ? (tr.visibility.unitIds || []).map((id) => ({ id, label: null })) : [],
  };
}

export function TrainingForm({ training, onSaved, onCancel }) {
  const kinds = useApi('/api/staff/training-kinds');
  const venues = useApi('/api/staff/venues');
  const form = useForm(initialValues(training), [...FIELDS, ...SESSION_FIELDS]);
  const [newVenue, setNewVenue] = useState(false);
  const v = form.values;
  const unitNames = useNames('units', v.units.filter((u) => !u.label).map((u) => u.id));

  const setSession = (i, k, val) => form.set('sessions', v.sessions.map((s, j) => (j === i ? { ...s, [k]: val } : s)));
  const onSubmit = form.submit(
    async (val) => {
      const body = {
        kind: val.kind,
        title: val.title.trim(),
        description: val.description.trim(),
        sessions: val.sessions.map((s) => {
          const x = { date: s.date, start: s.start, end: s.end };
          if (String(s.hours).trim()) x.hours = String(s.hours).trim();
          return x;
        }),
        online: !!val.online,
        trainerIds: val.trainers.map((x) => x.id),
        priceNet: String(val.priceNet).trim(),
        vat: val.vat,
        membersFree: !!val.membersFree,
        enrolmentDeadline: val.enrolmentDeadline,
        cancellationDeadline: val.cancellationDeadline,
        visibility: val.visibility,
      };
      if (val.venueId || training) body.venueId = val.venueId;
      if (String(val.capacity).trim()) body.capacity = Number(val.capacity);
      if (String(val.minParticipants).trim()) body.minParticipants = Number(val.minParticipants);
      if (val.vat === 'zw') body.vatExemptBasis = val.vatExemptBasis.trim();
      if (val.visibility === 'units') body.visibleUnitIds = val.units.map((u) => u.id);
      let saved;
      if (training) {
        body.version = training.version;
        saved = await api(`/api/staff/trainings/${encodeURIComponent(training.id)}`, { method: 'PATCH', body });
        toast(t('training.saved'));
      } else {
        saved = await api('/api/staff/trainings', { method: 'POST', body });
        toast(t('training.created'));
      }
      onSaved(saved);
    },
    (val) => {
      const fe = checkFields(val, { required: ['kind', 'title', 'priceNet'] });
      val.sessions.forEach((s, i) => {
        if (!s.date) fe[`sessions[${i}].date`] = { key: 'common.required' };
      });
      return fe;
    },
  );

  const kindOptions = [{ value: '', label: t('training.chooseKind') }, ...((kinds.data || []).map((k) => ({ value: k.code, label: `${k.namePl} (${k.code})` })))];
  const venueOptions = [{ value: '', label: t('training.noVenue') }, ...((venues.data || []).map((x) => ({ value: x.id, label: `${x.name}, ${x.address?.city || ''} (${x.capacity})` })))];
  const errOf = (name) => form.bind(name).error;
  const fieldErr = (key) => {
    const e = form.errors[key];
    if (!e) return '';
    return e.key ? t(e.key) : msg(e);
  };

  return (
    <form class="card form" aria-label={training ? t('training.editTitle') : t('training.newTitle')} onSubmit={onSubmit} noValidate data-testid="training-form">
      <h2 class="card-title">{training ? t('training.editTitle') : t('training.newTitle')}</h2>
      <FormSummary form={form} />
      <div class="grid-2">
        <SelectField label={t('training.kind')} required options={kindOptions} value={v.kind} onInput={(e) => form.set('kind', e.currentTarget.value)} error={errOf('kind')} disabled={training && training.phase !== 'planned'} />
        <TextField label={t('training.name')} required {...form.bind('title')} />
        <TextArea label={t('training.description')} className="span-2" {...form.bind('description')} />
      </div>

      <fieldset class="fieldset" data-testid="sessions">
        <legend>{t('training.sessions')}</legend>
        {fieldErr('sessions') && <p class="field-error">{fieldErr('sessions')}</p>}
        {v.sessions.map((s, i) => (
          <div class="session-row" key={i} role="group" aria-label={t('training.sessionN', { n: i + 1 })}>
            <TextField label={t('training.sessionDate')} type="date" required value={s.date} onInput={(e) => setSession(i, 'date', e.currentTarget.value)} error={fieldErr(`sessions[${i}].date`)} />
            <TextField label={t('training.sessionStart')} type="time" value={s.start} onInput={(e) => setSession(i, 'start', e.currentTarget.value)} error={fieldErr(`sessions[${i}].start`)} />
            <TextField label={t('training.sessionEnd')} type="time" value={s.end} onInput={(e) => setSession(i, 'end', e.currentTarget.value)} error={fieldErr(`sessions[${i}].end`)} />
            <TextField label={t('training.sessionHours')} inputMode="decimal" placeholder={t('training.sessionHoursHint')} value={s.hours} onInput={(e) => setSession(i, 'hours', e.currentTarget.value)} error={fieldErr(`sessions[${i}].hours`)} />
            <button type="button" class="btn btn-small session-remove" onClick={() => form.set('sessions', v.sessions.filter((_, j) => j !== i))} aria-label={`${t('training.removeSession')} ${i + 1}`}>
              {t('training.remove')}
            </button>
          </div>
        ))}
        <div>
          <button type="button" class="btn btn-small" onClick={() => form.set('sessions', [...v.sessions, { date: '', start: '09:00', end: '15:00', hours: '' }])}>
            + {t('training.addSession')}
          </button>
        </div>
      </fieldset>

      <div class="grid-2">
        <div class="field">
          <SelectField label={t('training.venue')} options={venueOptions} value={v.venueId} onInput={(e) => form.set('venueId', e.currentTarget.value)} error={errOf('venueId')} />
          {!newVenue && (
            <button type="button" class="link-button small" onClick={() => setNewVenue(true)}>
              + {t('training.newVenue')}
            </button>
          )}
        </div>
        <div class="field">
          <Checkbox label={t('training.online')} checked={v.online} onChange={(on) => form.set('online', on)} />
        </div>
      </div>
      {newVenue && (
        <VenueForm
          onCancel={() => setNewVenue(false)}
          onCreated={(venue) => {
            setNewVenue(false);
            venues.setData([...(venues.data || []), venue]);
            form.set('venueId', venue.id);
          }}
        />
      )}

      <div class="field">
        <span class="label">{t('training.trainers')}</span>
        <Picked items={v.trainers} empty={t('training.noTrainers')} onRemove={(id) => form.set('trainers', v.trainers.filter((x) => x.id !== id))} />
        <PersonSearch label={t('training.addTrainer')} excludeIds={v.trainers.map((x) => x.id)} onPick={(p) => form.set('trainers', [...v.trainers, { id: p.id, label: p.label }])} />
        {errOf('trainerIds') && <p class="field-error">{errOf('trainerIds')}</p>}
      </div>

      <div class="grid-2">
        <TextField label={t('training.capacity')} type="number" min="0" hint={t('training.capacityHint')} {...form.bind('capacity')} />
        <TextField label={t('training.minParticipants')} type="number" min="0" {...form.bind('minParticipants')} />
        <TextField label={t('training.priceNet')} required inputMode="decimal" placeholder="450,00" {...form.bind('priceNet')} />
        <SelectField
          label={t('training.vat')}
          options={['23', '8', '5', '0', 'zw'].map((x) => ({ value: x, label: x === 'zw' ? t('training.vatExempt') : `${x}%` }))}
          value={v.vat}
          onInput={(e) => form.set('vat', e.currentTarget.value)}
          error={errOf('vat')}
        />
        {v.vat === 'zw' && <TextField label={t('training.vatExemptBasis')} hint={t('training.vatExemptBasisHint')} className="span-2" {...form.bind('vatExemptBasis')} />}
        <div class="field span-2">
          <Checkbox label={t('training.membersFree')} checked={v.membersFree} onChange={(on) => form.set('membersFree', on)} />
        </div>
        <TextField label={t('training.enrolmentDeadline')} type="date" {...form.bind('enrolmentDeadline')} />
        <TextField label={t('training.cancellationDeadline')} type="date" {...form.bind('cancellationDeadline')} />
      </div>

      <fieldset class="fieldset">
        <legend>{t('training.visibility')}</legend>
        <div class="check-inline">
          {['public', 'units', 'hidden'].map((x) => (
            <label key={x} class="radio">
              <input type="radio" name="visibility" value={x} checked={v.visibility === x} onChange={() => form.set('visibility', x)} /> {t(`training.visibilities.${x}`)}
            </label>
          ))}
        </div>
        {errOf('visibility') && <p class="field-error">{errOf('visibility')}</p>}
        {v.visibility === 'units' && (
          <div class="stack-sm">
            <Picked items={v.units.map((u) => ({ id: u.id, label: u.label || unitNames[u.id] || u.id }))} empty={t('training.noUnits')} onRemove={(id) => form.set('units', v.units.filter((u) => u.id !== id))} />
            <UnitPicker label={t('training.addUnit')} value={null} onChange={(u) => u && !v.units.some((x) => x.id === u.id) && form.set('units', [...v.units, { id: u.id, label: u.name }])} error={errOf('visibleUnitIds')} />
          </div>
        )}
      </fieldset>

      <FormActions busy={form.busy} submitLabel={training ? t('common.save') : t('training.create')} onCancel={onCancel} />
    </form>
  );
}

export function TrainingNew() {
  return (
    <section class="page">
      <p class="crumbs">
        <a href="#/crm/trainings">{t('training.title')}</a>
      </p>
      <TrainingForm onSaved={(tr) => navigate(`/crm/trainings/${encodeURIComponent(tr.id)}`)} onCancel={() => navigate('/crm/trainings')} />
    </section>
  );
}

/* ---------- card ---------- */

const CARD_TABS = ['participants', 'invited', 'mailings', 'certificates', 'history'];
const CARD_TAB_LABELS = { mailings: 'mailings.trainingTab', certificates: 'certificates.tab' };

export function TrainingCard({ id, query }) {
  const res = useApi(`/api/staff/trainings/${encodeURIComponent(id)}`);
  const [edit, setEdit] = useState(false);
  const [phaseError, setPhaseError] = useState(null);
  const [busy, setBusy] = useState(false);
  const tab = CARD_TABS.includes(query.get('tab')) ? query.get('tab') : 'participants';
  const setTab = (x) => navigate(href(`/crm/trainings/${encodeURIComponent(id)}`, { tab: x === 'participants' ? '' : x }).slice(1), { replace: true });

  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  const card = res.data;
  if (!card) return null;
  const tr = card.training;
  const at = (tr.phases || []).indexOf(tr.phase);
  const next = at >= 0 ? tr.phases[at + 1] : null;
  const cancellable = ['planned', 'recruiting', 'running'].includes(tr.phase);
  const reload = () => res.reload();

  const move = async (to) => {
    if (to === 'cancelled' && !confirm(t('training.cancelTrainingConfirm', { title: tr.title }))) return;
    setBusy(true);
    setPhaseError(null);
    try {
      await api(`/api/staff/trainings/${encodeURIComponent(tr.id)}/phase`, { method: 'POST', body: { to } });
      toast(t('training.phaseChanged', { phase: phaseLabel(to) }));
      reload();
    } catch (err) {
      setPhaseError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page" data-testid="training-card">
      <p class="crumbs">
        <a href={`#/crm/trainings?phase=${tr.phase}`}>{t('training.title')}</a>
      </p>
      <div class="page-head">
        <div>
          <h1 data-testid="training-title">{tr.title}</h1>
          <p class="subtitle">
            <PhaseBadge phase={tr.phase} /> <span class="badge badge-seg">{tr.segment}</span> {tr.kindCode} · {datesText(tr)} ·{' '}
            <strong data-testid="seats">{seatsText(card.seats)}</strong>
          </p>
        </div>
        {!edit && (
          <div class="actions">
            {!['closed', 'cancelled'].includes(tr.phase) && (
              <button type="button" class="btn" onClick={() => setEdit(true)}>
                {t('common.edit')}
              </button>
            )}
            {next && (
              <button type="button" class="btn btn-primary" disabled={busy} onClick={() => move(next)} data-testid="next-phase">
                {t(`training.phaseTo.${next}`)}
              </button>
            )}
            {cancellable && (
              <button type="button" class="btn btn-warning" disabled={busy} onClick={() => move('cancelled')}>
                {t('training.cancelTraining')}
              </button>
            )}
          </div>
        )}
      </div>
      {phaseError && (
        <div class="form-summary" role="alert" data-testid="phase-error">
          {phaseError}
        </div>
      )}
      {edit ? (
        <TrainingForm
          training={tr}
          onCancel={() => setEdit(false)}
          onSaved={() => {
            setEdit(false);
            reload();
          }}
        />
      ) : (
        <TrainingData training={tr} />
      )}
      <Tabs label={t('tab.label')} active={tab} onChange={setTab} tabs={CARD_TABS.map((x) => ({ id: x, label: t(CARD_TAB_LABELS[x] || `training.${x}`) }))} />
      <TabPanel id={tab}>
        {tab === 'participants' && <Participants card={card} onChanged={reload} />}
        {tab === 'invited' && <InvitedTab training={tr} onChanged={reload} />}
        {tab === 'mailings' && <TrainingMailingsTab training={tr} />}
        {tab === 'certificates' && <TrainingCertificatesTab card={card} />}
        {tab === 'history' && <HistoryTab id={tr.id} />}
      </TabPanel>
    </section>
  );
}

function TrainingData({ training: tr }) {
  const vis = tr.visibility || { kind: 'public' };
  const unitIds = vis.kind === 'units' ? vis.unitIds || [] : [];
  const names = useNames('units', unitIds);
  return (
    <div class="card">
      <h2 class="card-title">{t('training.data')}</h2>
      <DataList
        rows={[
          [t('training.kind'), `${tr.kindCode} (${tr.segment})`],
          [t('training.venue'), venueText(tr)],
          [t('training.trainers'), (tr.trainers || []).map((x, i) => [i > 0 && ', ', <a key={x.personId} href={personHref(x.personId)}>{x.name}</a>])],
          [t('training.capacity'), tr.capacity],
          [t('training.minParticipants'), tr.minParticipants],
          [t('training.price'), priceText(tr)],
          [t('training.enrolmentDeadline'), fmtDate(tr.enrolmentDeadline)],
          [t('training.cancellationDeadline'), fmtDate(tr.cancellationDeadline)],
          [
            t('training.visibility'),
            <>
              {t(`training.visibilities.${vis.kind}`)}
              {unitIds.length > 0 && ': '}
              {unitIds.map((id, i) => [i > 0 && ', ', <a key={id} href={unitHref(id)}>{names[id] || id}</a>])}
            </>,
          ],
          [t('training.owner'), tr.owner && tr.owner.name],
        ]}
      />
      <h3 class="subhead">{t('training.sessions')}</h3>
      {(tr.sessions || []).length ? (
        <ol class="sessions">
          {tr.sessions.map((s, i) => (
            <li key={i}>{sessionText(s)}</li>
          ))}
        </ol>
      ) : (
        <p class="muted">{t('training.noSessions')}</p>
      )}
      {tr.description && <p class="pre">{tr.description}</p>}
    </div>
  );
}

function HistoryTab({ id }) {
  const list = usePaged(`/api/staff/trainings/${encodeURIComponent(id)}/history`);
  return <Timeline list={list} self={{ kind: 'training', id }} />;
}

function Participants({ card, onChanged }) {
  const tr = card.training;
  const all = card.enrolments || [];
  const enrolled = all.filter((e) => ['enrolled', 'attended', 'absent'].includes(e.status));
  const waiting = all.filter((e) => e.status === 'waitlisted').sort((a, b) => (a.waitlistSeq ?? 0) - (b.waitlistSeq ?? 0));
  const cancelled = all.filter((e) => e.status === 'cancelled');
  const [adding, setAdding] = useState(false);
  const sessions = tr.sessions || [];
  return (
    <div class="stack">
      <div class="toolbar">
        {!adding && !['completed', 'settled', 'closed', 'cancelled'].includes(tr.phase) && (
          <button type="button" class="btn btn-primary" onClick={() => setAdding(true)}>
            {t('training.enrolPersons')}
          </button>
        )}
      </div>
      {adding && <StaffEnrolForm training={tr} onDone={onChanged} onClose={() => setAdding(false)} />}

      <div class="card flush" data-testid="enrolled-list">
        <h2 class="card-title pad">
          {t('training.enrolled')} <span class="muted">({seatsText(card.seats)})</span>
        </h2>
        {enrolled.length > 0 && sessions.length > 0 && <p class="muted small pad">{t('training.attendanceHint')}</p>}
        {enrolled.length === 0 ? (
          <p class="muted pad">{t('training.noneEnrolled')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('training.person')}</th>
                  <th scope="col">{t('training.enrolledAt')}</th>
                  <th scope="col">{t('training.statusLabel')}</th>
                  {sessions.length > 0 && <th scope="col">{t('training.attendance')}</th>}
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {enrolled.map((e) => (
                  <EnrolmentRow key={e.id} training={tr} e={e} onChanged={onChanged} attendance={sessions} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <div class="card flush" data-testid="waiting-list">
        <h2 class="card-title pad">{t('training.waitlist')}</h2>
        {waiting.length === 0 ? (
          <p class="muted pad">{t('training.noneWaiting')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('training.position')}</th>
                  <th scope="col">{t('training.person')}</th>
                  <th scope="col">{t('training.enrolledAt')}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {waiting.map((e, i) => (
                  <EnrolmentRow key={e.id} training={tr} e={e} onChanged={onChanged} position={i + 1} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <div class="card flush" data-testid="cancelled-list">
        <h2 class="card-title pad">{t('training.cancelled')}</h2>
        {cancelled.length === 0 ? (
          <p class="muted pad">{t('training.noneCancelled')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('training.person')}</th>
                  <th scope="col">{t('training.cancelledAt')}</th>
                  <th scope="col">{t('training.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {cancelled.map((e) => (
                  <tr key={e.id} data-person={e.personId}>
                    <td>
                      <a href={personHref(e.personId)}>{e.personName}</a>
                    </td>
                    <td>
                      {e.cancelled && fmtDateTime(e.cancelled.at)}
                      {e.cancelled && e.cancelled.by && <div class="muted small">{e.cancelled.by.name}</div>}
                      {e.cancelled && e.cancelled.late && <span class="badge badge-danger">{t('training.late')}</span>}
                    </td>
                    <td>{(e.cancelled && e.cancelled.reason) || <span class="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}

function EnrolmentRow({ training, e, onChanged, attendance, position }) {
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [marks, setMarks] = useState(e.attendance || []);
  const base = `/api/staff/trainings/${encodeURIComponent(training.id)}`;
  const doCancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = reason.trim() ? { reason: reason.trim() } : {};
      await api(`${base}/enrolments/${encodeURIComponent(e.personId)}/cancel`, { method: 'POST', body });
      toast(t('training.enrolmentCancelled', { name: e.personName }));
      onChanged();
    } catch (err) {
      setError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };
  const mark = async (session, present) => {
    setError(null);
    const prev = marks;
    setMarks((m) => {
      const n = [...m];
      n[session] = present;
      return n;
    });
    try {
      await api(`${base}/attendance`, { method: 'POST', body: { personId: e.personId, session, present } });
    } catch (err) {
      setMarks(prev);
      setError(apiErrorDetail(err));
    }
  };
  const holdsSeat = ['enrolled', 'attended', 'absent'].includes(e.status);
  return (
    <tr data-person={e.personId} data-testid="enrolment-row">
      {position !== undefined && <td>{position}</td>}
      <td>
        <a href={personHref(e.personId)}>{e.personName}</a>
        {e.substitutedFrom && <span class="badge">{t('training.substitutedFrom')}</span>}
        <div class="muted small">
          <a href={unitHref(e.unitId)}>{t('training.unit')}</a>
        </div>
      </td>
      <td>
        {fmtDateTime(e.enrolledAt)}
        {e.enrolledBy && <div class="muted small">{t('training.enrolledBy', { name: e.enrolledBy.name })}</div>}
      </td>
      {position === undefined && (
        <td>
          <StatusBadge status={e.status} />
        </td>
      )}
      {attendance && attendance.length > 0 && (
        <td>
          <div class="attendance">
            {attendance.map((s, i) => (
              <label key={i} title={`${sessionText(s)}: ${attendanceState(marks[i])}`} class={`attendance-${marks[i] === true ? 'present' : marks[i] === false ? 'absent' : 'unmarked'}`} data-session={i}>
                {/* Not marked yet shows as "mixed" (indeterminate): unchecked means marked absent. */}
                <input
                  type="checkbox"
                  ref={(el) => el && (el.indeterminate = marks[i] !== true && marks[i] !== false)}
                  checked={marks[i] === true}
                  disabled={!holdsSeat}
                  onChange={(ev) => mark(i, ev.currentTarget.checked)}
                  aria-label={`${t('training.attendance')}: ${e.personName}, ${fmtDate(s.date)}`}
                />
                {fmtDate(s.date).slice(0, 5)}
              </label>
            ))}
          </div>
        </td>
      )}
      <td class="row-actions">
        {['enrolled', 'waitlisted'].includes(e.status) &&
          (cancelling ? (
            <div class="inline-form">
              <input type="text" placeholder={t('training.cancelReason')} aria-label={t('training.cancelReason')} value={reason} onInput={(ev) => setReason(ev.currentTarget.value)} />
              <button type="button" class="btn btn-small btn-warning" disabled={busy} onClick={doCancel}>
                {t('training.confirmCancel')}
              </button>
              <button type="button" class="btn btn-small" onClick={() => setCancelling(false)}>
                {t('common.cancel')}
              </button>
            </div>
          ) : (
            <button type="button" class="btn btn-small" onClick={() => setCancelling(true)}>
              {t('training.cancelEnrolment')}
            </button>
          ))}
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

function attendanceState(mark) {
  return mark === true ? t('training.attendancePresent') : mark === false ? t('training.attendanceAbsent') : t('training.attendanceUnmarked');
}

function StaffEnrolForm({ training, onDone, onClose }) {
  const [picked, setPicked] = useState([]);
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (ev) => {
    ev.preventDefault();
    if (!picked.length) {
      setError(t('training.selectAtLeastOne'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api(`/api/staff/trainings/${encodeURIComponent(training.id)}/enrolments`, { method: 'POST', body: { personIds: picked.map((p) => p.id) } });
      setResults(r.map((x) => ({ ...x, label: (picked.find((p) => p.id === x.personId) || {}).label || x.personId })));
      setPicked([]);
      onDone();
    } catch (err) {
      setError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" aria-label={t('training.enrolPersonsTitle')} onSubmit={submit} noValidate data-testid="staff-enrol-form">
      <h2 class="card-title">{t('training.enrolPersonsTitle')}</h2>
      {error && (
        <div class="form-summary" role="alert">
          {error}
        </div>
      )}
      <Picked items={picked} empty={t('training.nonePicked')} onRemove={(id) => setPicked(picked.filter((p) => p.id !== id))} />
      <PersonSearch label={t('training.pickPersons')} excludeIds={picked.map((p) => p.id)} onPick={(p) => setPicked([...picked, { id: p.id, label: p.label }])} />
      {results && <EnrolResults results={results} />}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('training.enrolSubmit')}
        </button>
        <button type="button" class="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </form>
  );
}

/** Per-person outcome of an enrolment request. */
export function EnrolResults({ results }) {
  return (
    <div class="results" role="status" data-testid="enrol-results">
      <h3 class="card-title">{t('training.results')}</h3>
      <ul>
        {results.map((r) => (
          <li key={r.personId} data-person={r.personId} class={`outcome-${r.outcome}`}>
            <strong>{r.label}</strong>: <span class={`badge ${r.outcome === 'enrolled' ? 'badge-ok' : r.outcome === 'refused' ? 'badge-danger' : 'badge-open'}`} data-testid="outcome">{outcomeLabel(r.outcome)}</span>
            {r.outcome === 'refused' && <span class="muted"> — {resultError(r)}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/* ---------- person and unit card tabs ---------- */

/** Title (link to the card), phase, dates and venue of an enrolment's `training` summary. */
function EnrolmentTraining({ e }) {
  const tr = e.training;
  return (
    <td data-testid="enrolment-training">
      <a href={trainingHref(e.trainingId)}>{tr ? tr.title : e.trainingId}</a>
      {tr && (
        <div class="muted small">
          <PhaseBadge phase={tr.phase} /> {summaryVenueText(tr)}
        </div>
      )}
    </td>
  );
}

/** The person card's "Szkolenia": the person's enrolments and certificates. */
export function PersonTrainingsTab({ personId }) {
  return (
    <div class="stack">
      <PersonEnrolments personId={personId} />
      <PersonCertificates personId={personId} />
    </div>
  );
}

function PersonEnrolments({ personId }) {
  // Each enrolment carries `training: {id, title, phase, startsOn?, endsOn?, venue?}`.
  const list = usePaged(`/api/staff/persons/${encodeURIComponent(personId)}/enrolments`);
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('training.personNone')}</p>;
  return (
    <div class="card flush">
      <div class="table-wrap">
        <table class="table" data-testid="person-enrolments">
          <thead>
            <tr>
              <th scope="col">{t('training.training')}</th>
              <th scope="col">{t('training.dates')}</th>
              <th scope="col">{t('training.statusLabel')}</th>
              <th scope="col">{t('training.enrolledAt')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((e) => (
              <tr key={e.id} data-training={e.trainingId}>
                <EnrolmentTraining e={e} />
                <td class="nowrap">{summaryDatesText(e.training)}</td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>{fmtDateTime(e.enrolledAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </div>
  );
}

/**
 * The unit card's "Szkolenia": persons sent per year (cancellations not counted) and the
 * enrolments of the unit's and its sub-units' persons, latest training first (at most 200).
 */
export function UnitTrainingsTab({ unit }) {
  const res = useApi(`/api/staff/units/${encodeURIComponent(unit.id)}/enrolments`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <InlineError error={res.error} onRetry={res.reload} />;
  if (!res.data) return null;
  const enrolments = res.data.enrolments || [];
  const years = Object.entries(res.data.perYear || {}).sort(([a], [b]) => b.localeCompare(a));
  if (!enrolments.length && !years.length) return <p class="muted">{t('training.unitNone')}</p>;
  return (
    <div class="stack">
      {years.length > 0 && (
        <div class="card flush per-year">
          <h2 class="card-title pad">{t('training.perYearTitle')}</h2>
          <table class="table" data-testid="unit-per-year">
            <thead>
              <tr>
                <th scope="col">{t('training.year')}</th>
                <th scope="col" class="num">
                  {t('training.personsSent')}
                </th>
              </tr>
            </thead>
            <tbody>
              {years.map(([year, n]) => (
                <tr key={year} data-year={year}>
                  <th scope="row">{year}</th>
                  <td class="num" data-testid="per-year-count">
                    {n}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="card flush">
        <h2 class="card-title pad">{t('training.unitEnrolmentsTitle')}</h2>
        {enrolments.length === 0 ? (
          <p class="muted pad">{t('training.noEnrolments')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="unit-enrolments">
              <thead>
                <tr>
                  <th scope="col">{t('training.person')}</th>
                  <th scope="col">{t('training.training')}</th>
                  <th scope="col">{t('training.dates')}</th>
                  <th scope="col">{t('training.statusLabel')}</th>
                </tr>
              </thead>
              <tbody>
                {enrolments.map((e) => (
                  <tr key={e.id} data-person={e.personId} data-training={e.trainingId} class={e.status === 'cancelled' ? 'is-closed' : ''}>
                    <td>
                      <a href={personHref(e.personId)}>{e.personName}</a>
                      {e.unitId !== unit.id && (
                        <div class="muted small">
                          <a href={unitHref(e.unitId)}>{t('training.subUnit')}</a>
                        </div>
                      )}
                    </td>
                    <EnrolmentTraining e={e} />
                    <td class="nowrap">{summaryDatesText(e.training)}</td>
                    <td>
                      <StatusBadge status={e.status} />
                      <div class="muted small">{t('training.enrolledOn', { at: fmtDateTime(e.enrolledAt) })}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}
