// Extranet: training offers, a training page ("Zapisz pracowników" for unit administrators,
// "Zapisz się" for participants) and the enrolments page (unit's or "Moje szkolenia") with
// cancellation and substitution.
import { useEffect, useState } from 'preact/hooks';
import { api, downloadFile, useApi, usePaged } from '../api.js';
import { fmtDate, fmtDateTime, fullName } from '../format.js';
import { t } from '../i18n.js';
import { EnrolResults } from '../staff/trainings.jsx';
import { MyCertificates } from './certificates.jsx';
import {
  apiErrorDetail,
  datesText,
  fetchAll,
  PhaseBadge,
  priceText,
  sessionText,
  StatusBadge,
  summaryDatesText,
  summaryVenueText,
  venueText,
} from '../trainings-common.jsx';
import { DataList, ErrorView, InlineError, Loading, MoreButton, toast } from '../ui.jsx';

const trainingHref = (id) => `#/ext/trainings/${encodeURIComponent(id)}`;

function freeSeatsText(seats) {
  if (!seats) return '';
  const free = Math.max(0, seats.capacity - seats.taken);
  return free > 0 ? t('training.freeSeats', { n: free }) : t('training.noFreeSeats');
}

/* ---------- offers ---------- */

export function ExtTrainingsPage() {
  // Each offer is the training's own fields plus `seats: {capacity, taken}`.
  const list = useApi('/api/extranet/trainings');
  const items = [...(list.data || [])].sort((a, b) => String(a.sessions?.[0]?.date || '').localeCompare(String(b.sessions?.[0]?.date || '')));
  return (
    <section class="page" data-testid="ext-trainings">
      <div class="page-head">
        <div>
          <h1>{t('training.offers')}</h1>
          <p class="subtitle">{t('training.offersIntro')}</p>
        </div>
      </div>
      {list.loading && !list.data && <Loading />}
      {list.error && <InlineError error={list.error} onRetry={list.reload} />}
      {list.data && items.length === 0 && <p class="muted">{t('training.noOffers')}</p>}
      <div class="offers">
        {items.map((tr) => (
          <article class="card offer" key={tr.id} data-testid="offer">
            <h2 class="card-title">
              <a href={trainingHref(tr.id)}>{tr.title}</a>
            </h2>
            <p class="muted small">
              <PhaseBadge phase={tr.phase} /> {datesText(tr)}
            </p>
            <DataList
              rows={[
                [t('training.venue'), venueText(tr)],
                [t('training.price'), priceText(tr)],
                [t('training.seats'), freeSeatsText(tr.seats), 'offer-seats'],
                [t('training.enrolmentDeadline'), fmtDate(tr.enrolmentDeadline)],
              ]}
            />
            <p>
              <a class="btn btn-small" href={trainingHref(tr.id)}>
                {t('training.details')}
              </a>
            </p>
          </article>
        ))}
      </div>
    </section>
  );
}

/* ---------- training page ---------- */

export function ExtTrainingPage({ id, me, user }) {
  const offer = useApi(`/api/extranet/trainings/${encodeURIComponent(id)}`);
  const [tick, setTick] = useState(0);
  const changed = () => {
    offer.reload();
    setTick((n) => n + 1);
  };
  if (offer.loading && !offer.data) return <Loading />;
  if (offer.error) return <ErrorView error={offer.error} />;
  const o = offer.data;
  if (!o) return null;
  const tr = o.training;
  const open = tr.phase === 'recruiting';
  return (
    <section class="page" data-testid="ext-training">
      <p class="crumbs">
        <a href="#/ext/trainings">{t('training.offers')}</a>
      </p>
      <div class="page-head">
        <div>
          <h1>{tr.title}</h1>
          <p class="subtitle">
            <PhaseBadge phase={tr.phase} /> {datesText(tr)} · <strong data-testid="free-seats">{freeSeatsText(o.seats)}</strong>
          </p>
        </div>
      </div>
      <div class="card">
        <DataList
          rows={[
            [t('training.venue'), venueText(tr)],
            [t('training.price'), priceText(tr)],
            [t('training.trainers'), (tr.trainers || []).map((x) => x.name).join(', ')],
            [t('training.enrolmentDeadline'), fmtDate(tr.enrolmentDeadline)],
            [t('training.cancellationDeadline'), fmtDate(tr.cancellationDeadline)],
          ]}
        />
        <h3 class="subhead">{t('training.sessions')}</h3>
        <ol class="sessions">
          {(tr.sessions || []).map((s, i) => (
            <li key={i}>{sessionText(s)}</li>
          ))}
        </ol>
        {tr.description && <p class="pre">{tr.description}</p>}
      </div>
      {!open && <p class="note">{t('training.recruitmentClosed')}</p>}
      {open && user.isUnitAdmin && <EnrolEmployees training={tr} me={me} onDone={changed} />}
      {open && !user.isUnitAdmin && user.isParticipant && <EnrolMe training={tr} me={me} onDone={changed} />}
      <TrainingEnrolments key={tick} training={tr} me={me} user={user} onChanged={changed} />
    </section>
  );
}

function EnrolEmployees({ training, me, onDone }) {
  const [persons, setPersons] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [checked, setChecked] = useState([]); // in the order ticked
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    fetchAll('/api/extranet/persons').then(setPersons, setLoadError);
  }, []);
  const toggle = (id, on) => setChecked((c) => (on ? [...c.filter((x) => x !== id), id] : c.filter((x) => x !== id)));
  const submit = async (ev) => {
    ev.preventDefault();
    if (!checked.length) {
      setError(t('training.selectAtLeastOne'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api(`/api/extranet/trainings/${encodeURIComponent(training.id)}/enrolments`, { method: 'POST', body: { personIds: checked } });
      const name = (pid) => {
        const p = (persons || []).find((x) => x.id === pid);
        return p ? fullName(p) : pid;
      };
      setResults(r.map((x) => ({ ...x, label: name(x.personId) })));
      setChecked([]);
      onDone();
    } catch (err) {
      setError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };
  const units = new Map([[me.unit.id, me.unit.name], ...(me.subUnits || []).map((u) => [u.id, u.name])]);
  return (
    <form class="card form" aria-label={t('training.enrolEmployees')} onSubmit={submit} noValidate data-testid="enrol-employees">
      <h2 class="card-title">{t('training.enrolEmployees')}</h2>
      <p class="muted small">{t('training.enrolEmployeesHint')}</p>
      {error && (
        <div class="form-summary" role="alert">
          {error}
        </div>
      )}
      {loadError && <InlineError error={loadError} />}
      {!persons && !loadError && <Loading />}
      {persons && persons.length === 0 && <p class="muted">{t('training.noEmployees')}</p>}
      {persons && persons.length > 0 && (
        <ul class="check-list">
          {persons.map((p) => (
            <li key={p.id}>
              <label>
                <input type="checkbox" checked={checked.includes(p.id)} onChange={(e) => toggle(p.id, e.currentTarget.checked)} />
                <span>
                  {fullName(p)}
                  <span class="muted small block">{[p.position, units.size > 1 && p.unitId !== me.unit.id ? units.get(p.unitId) : null].filter(Boolean).join(' · ')}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {results && <EnrolResults results={results} />}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !persons}>
          {busy ? t('common.saving') : t('training.enrolEmployees')}
          {checked.length > 0 && ` (${checked.length})`}
        </button>
      </div>
    </form>
  );
}

function EnrolMe({ training, me, onDone }) {
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const enrol = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api(`/api/extranet/trainings/${encodeURIComponent(training.id)}/enrolments`, { method: 'POST' });
      setResults(r.map((x) => ({ ...x, label: me.person ? fullName(me.person) : me.user?.name || x.personId })));
      onDone();
    } catch (err) {
      setError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card" data-testid="enrol-me">
      {error && (
        <div class="form-summary" role="alert">
          {error}
        </div>
      )}
      {results ? (
        <EnrolResults results={results} />
      ) : (
        <button type="button" class="btn btn-primary" disabled={busy} onClick={enrol}>
          {t('training.enrolMe')}
        </button>
      )}
    </div>
  );
}

/** This training's enrolments of the caller's unit (or the participant's own). */
function TrainingEnrolments({ training, me, user, onChanged }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    fetchAll('/api/extranet/enrolments').then(
      (all) => setItems(all.filter((e) => e.trainingId === training.id)),
      setError,
    );
  }, [training.id]);
  if (error) return <InlineError error={error} />;
  if (!items) return null;
  if (!items.length) return null;
  return (
    <div class="card flush" data-testid="training-enrolments">
      <h2 class="card-title pad">{user.isUnitAdmin ? t('training.unitEnrolments') : t('training.myEnrolmentHere')}</h2>
      <EnrolmentsTable items={items} me={me} user={user} onChanged={onChanged} showTraining={false} />
    </div>
  );
}

/* ---------- enrolments page ---------- */

export function ExtEnrolmentsPage({ me, user }) {
  // Each enrolment carries `training: {id, title, phase, startsOn?, endsOn?, venue?}`.
  const list = usePaged('/api/extranet/enrolments');
  return (
    <section class="page" data-testid="ext-enrolments">
      <div class="page-head">
        <h1>{user.isUnitAdmin ? t('training.enrolmentsTitle') : t('training.myTrainings')}</h1>
        {user.isUnitAdmin && <CsvButton />}
      </div>
      {list.loading && <Loading />}
      {list.error && <InlineError error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('training.noEnrolments')}</p>}
      {list.items.length > 0 && (
        <div class="card flush">
          <EnrolmentsTable
            items={list.items}
            me={me}
            user={user}
            showTraining
            onChanged={list.reload}
          />
          <MoreButton list={list} />
        </div>
      )}
      {!user.isUnitAdmin && <MyCertificates />}
    </section>
  );
}

/** "Pobierz CSV": the unit's enrolments for Excel (fetched with the token, saved as a file). */
function CsvButton() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      await downloadFile('/api/extranet/enrolments.csv', 'zapisy.csv');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button type="button" class="btn" disabled={busy} onClick={download} data-testid="enrolments-csv">
        {busy ? t('training.csvLoading') : t('training.csv')}
      </button>
      {error && <InlineError error={error} />}
    </div>
  );
}

function EnrolmentsTable({ items, me, user, onChanged, showTraining }) {
  const [colleagues, setColleagues] = useState(null);
  useEffect(() => {
    if (user.isUnitAdmin) fetchAll('/api/extranet/persons').then(setColleagues, () => setColleagues([]));
  }, [user.isUnitAdmin]);
  const sorted = [...items].sort((a, b) => {
    const rank = { enrolled: 0, waitlisted: 1, attended: 2, absent: 3, cancelled: 4 };
    return (rank[a.status] ?? 9) - (rank[b.status] ?? 9) || (a.waitlistSeq ?? 0) - (b.waitlistSeq ?? 0);
  });
  return (
    <div class="table-wrap">
      <table class="table" data-testid="enrolments-table">
        <thead>
          <tr>
            {user.isUnitAdmin && <th scope="col">{t('training.person')}</th>}
            {showTraining && <th scope="col">{t('training.training')}</th>}
            <th scope="col">{t('training.statusLabel')}</th>
            <th scope="col">{t('training.enrolledAt')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {sorted.map((e) => (
            <ExtEnrolmentRow key={e.id} e={e} user={user} me={me} colleagues={colleagues} onChanged={onChanged} showTraining={showTraining} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExtEnrolmentRow({ e, user, colleagues, onChanged, showTraining }) {
  const training = e.training;
  const [mode, setMode] = useState(null); // 'cancel' | 'substitute'
  const [reason, setReason] = useState('');
  const [colleague, setColleague] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/extranet/trainings/${encodeURIComponent(e.trainingId)}/enrolments/${encodeURIComponent(e.personId)}`;
  // Nothing to cancel or hand over once the training itself is cancelled or over.
  const active = ['enrolled', 'waitlisted'].includes(e.status) && (!training || ['planned', 'recruiting', 'running'].includes(training.phase));
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setMode(null);
      onChanged();
    } catch (err) {
      setError(apiErrorDetail(err));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () =>
    run(async () => {
      await api(`${base}/cancel`, { method: 'POST', body: reason.trim() ? { reason: reason.trim() } : {} });
      toast(t('training.enrolmentCancelled', { name: e.personName }));
    });
  const substitute = () => {
    if (!colleague) {
      setError(t('training.chooseColleague'));
      return;
    }
    run(async () => {
      const next = await api(`${base}/substitute`, { method: 'POST', body: { personId: colleague } });
      toast(t('training.substituted', { name: next.personName }));
    });
  };
  const mates = (colleagues || []).filter((p) => p.unitId === e.unitId && p.id !== e.personId && p.status !== 'left');
  return (
    <tr data-person={e.personId} data-testid="enrolment-row" class={e.status === 'cancelled' ? 'is-closed' : ''}>
      {user.isUnitAdmin && <td data-testid="enrolment-person">{e.personName}</td>}
      {showTraining && (
        <td data-testid="enrolment-training">
          {!training ? (
            <span class="muted">{t('training.notVisible')}</span>
          ) : ['planned', 'cancelled'].includes(training.phase) ? (
            // The extranet does not show planned or cancelled trainings: the title only.
            <strong>{training.title}</strong>
          ) : (
            <a href={trainingHref(e.trainingId)}>{training.title}</a>
          )}
          {training && (
            <div class="muted small">
              {[summaryDatesText(training), summaryVenueText(training)].filter(Boolean).join(' · ')} <PhaseBadge phase={training.phase} />
            </div>
          )}
        </td>
      )}
      <td>
        <StatusBadge status={e.status} />
        {e.cancelled && e.cancelled.late && <span class="badge badge-danger">{t('training.late')}</span>}
      </td>
      <td>{fmtDateTime(e.enrolledAt)}</td>
      <td class="row-actions">
        {active && mode === null && (
          <div class="actions">
            <button type="button" class="btn btn-small" onClick={() => setMode('cancel')}>
              {t('training.cancelEnrolment')}
            </button>
            {user.isUnitAdmin && (
              <button type="button" class="btn btn-small" onClick={() => setMode('substitute')}>
                {t('training.substitute')}
              </button>
            )}
          </div>
        )}
        {mode === 'cancel' && (
          <div class="inline-form">
            <input type="text" placeholder={t('training.cancelReason')} aria-label={t('training.cancelReason')} value={reason} onInput={(ev) => setReason(ev.currentTarget.value)} />
            <button type="button" class="btn btn-small btn-warning" disabled={busy} onClick={cancel}>
              {t('training.confirmCancel')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setMode(null)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        {mode === 'substitute' && (
          <div class="inline-form">
            <select aria-label={t('training.substituteWho')} value={colleague} onChange={(ev) => setColleague(ev.currentTarget.value)}>
              <option value="">{t('training.chooseColleague')}</option>
              {mates.map((p) => (
                <option key={p.id} value={p.id}>
                  {fullName(p)}
                </option>
              ))}
            </select>
            <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={substitute}>
              {t('training.substituteSubmit')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setMode(null)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        {error && (
          <p class="field-error" role="alert" data-testid="row-error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
