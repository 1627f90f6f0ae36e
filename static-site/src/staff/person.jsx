// Staff CRM: person card (data, edit, leave, move, employment history, contact history, tasks, audit).
import { useState } from 'preact/hooks';
import { api, normalizePage, useApi } from '../api.js';
import { fullName, personStatus } from '../format.js';
import { t } from '../i18n.js';
import { EmploymentTable, LeaveForm, leaveLabel, PersonEditForm } from '../persons.jsx';
import { href, navigate } from '../router.js';
import { DataList, ErrorView, FormActions, FormSummary, InlineError, Loading, TabPanel, Tabs, TextField, toast, useForm } from '../ui.jsx';
import { AuditSection, HistorySection, TasksSection } from './activity.jsx';
import { UnitPicker } from './search.jsx';
import { PersonMailingsTab } from './mailings.jsx';
import { PersonDocumentsTab } from './documents.jsx';
import { PersonTrainingsTab } from './trainings.jsx';

const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;

function MoveForm({ person, onDone, onCancel }) {
  const [unit, setUnit] = useState(null);
  const form = useForm({ position: person.position || '' }, ['unitId', 'position']);
  const onSubmit = form.submit(async (v) => {
    if (!unit) {
      form.setErrors({ unitId: { key: 'person.chooseUnit' } });
      return;
    }
    const body = { unitId: unit.id };
    if (v.position.trim()) body.position = v.position.trim();
    await api(`/api/staff/persons/${encodeURIComponent(person.id)}/move`, { method: 'POST', body });
    toast(t('person.moved', { unit: unit.name }));
    onDone && onDone();
  });
  return (
    <form class="card form" aria-label={t('person.moveTitle')} onSubmit={onSubmit} noValidate data-testid="move-form">
      <h2 class="card-title">
        {t('person.moveTitle')}: {fullName(person)}
      </h2>
      <FormSummary form={form} />
      <div class="grid-2">
        <UnitPicker label={t('person.moveTo')} value={unit} onChange={setUnit} excludeId={person.unitId} error={form.bind('unitId').error} />
        <TextField label={t('person.newPosition')} {...form.bind('position')} />
      </div>
      <FormActions busy={form.busy} submitLabel={t('person.moveSubmit')} onCancel={onCancel} />
    </form>
  );
}

function EmploymentsTab({ person }) {
  const r = useApi(`/api/staff/persons/${encodeURIComponent(person.id)}/employments`);
  if (r.loading) return <Loading />;
  if (r.error) return <InlineError error={r.error} onRetry={r.reload} />;
  const items = normalizePage(r.data).items.map((e) => ({ ...e, unitHref: unitHref(e.unitId) }));
  return <EmploymentTable items={items} />;
}

const PERSON_TABS = ['history', 'employments', 'trainings', 'mailings', 'documents', 'tasks', 'audit'];
const TAB_LABELS = { trainings: 'training.personTab', mailings: 'mailings.personTab', documents: 'documents.tab' };

export function PersonCard({ id, query }) {
  const res = useApi(`/api/staff/persons/${encodeURIComponent(id)}`);
  const [mode, setMode] = useState(null); // 'edit' | 'leave' | 'move'
  const tab = PERSON_TABS.includes(query.get('tab')) ? query.get('tab') : 'history';
  const setTab = (x) => navigate(href(`/crm/persons/${encodeURIComponent(id)}`, { tab: x === 'history' ? '' : x }).slice(1), { replace: true });

  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  const p = res.data;
  if (!p) return null;
  const done = (updated) => {
    setMode(null);
    if (updated) res.setData(updated);
    else res.reload();
  };
  return (
    <section class="page" data-testid="person-card">
      <p class="crumbs">
        <a href="#/crm/units">{t('units.title')}</a>
        {' / '}
        <a href={unitHref(p.unitId)}>{p.unitName || p.unitId}</a>
      </p>
      <div class="page-head">
        <div>
          <h1 data-testid="person-name">{fullName(p)}</h1>
          <p class="subtitle">
            {p.position && <span>{p.position} · </span>}
            <a href={unitHref(p.unitId)}>{p.unitName}</a> <span class={`badge ${p.status === 'left' ? '' : 'badge-ok'}`}>{personStatus(p)}</span>
          </p>
        </div>
        {mode === null && (
          <div class="actions">
            <button type="button" class="btn" onClick={() => setMode('edit')}>
              {t('person.edit')}
            </button>
            {p.status !== 'left' && (
              <button type="button" class="btn" onClick={() => setMode('move')}>
                {t('person.move')}
              </button>
            )}
            {p.status !== 'left' && (
              <button type="button" class="btn btn-warning" onClick={() => setMode('leave')}>
                {leaveLabel(p)}
              </button>
            )}
          </div>
        )}
      </div>
      {mode === 'edit' && <PersonEditForm apiBase="/api/staff" person={p} personHref={personHref} onSaved={done} onCancel={() => setMode(null)} />}
      {mode === 'leave' && <LeaveForm apiBase="/api/staff" person={p} onDone={() => done(null)} onCancel={() => setMode(null)} />}
      {mode === 'move' && <MoveForm person={p} onDone={() => done(null)} onCancel={() => setMode(null)} />}
      {mode !== 'edit' && (
        <div class="card">
          <h2 class="card-title">{t('person.data')}</h2>
          <PersonData person={p} unitLink={unitHref(p.unitId)} />
        </div>
      )}
      <Tabs label={t('tab.label')} active={tab} onChange={setTab} tabs={PERSON_TABS.map((x) => ({ id: x, label: t(TAB_LABELS[x] || `tab.${x}`) }))} />
      <TabPanel id={tab}>
        {tab === 'history' && <HistorySection path={`/api/staff/persons/${encodeURIComponent(p.id)}/history`} self={{ kind: 'person', id: p.id }} />}
        {tab === 'employments' && <EmploymentsTab person={p} />}
        {tab === 'trainings' && <PersonTrainingsTab personId={p.id} />}
        {tab === 'mailings' && <PersonMailingsTab personId={p.id} />}
        {tab === 'documents' && <PersonDocumentsTab person={p} name={fullName(p)} />}
        {tab === 'tasks' && <TasksSection path={`/api/staff/persons/${encodeURIComponent(p.id)}/tasks`} self={{ kind: 'person', id: p.id, label: fullName(p) }} />}
        {tab === 'audit' && <AuditSection path={`/api/staff/persons/${encodeURIComponent(p.id)}/audit`} />}
      </TabPanel>
    </section>
  );
}

export function PersonData({ person: p, unitLink }) {
  return (
    <DataList
      rows={[
        [t('person.firstName'), p.firstName, 'person-first-name'],
        [t('person.lastName'), p.lastName, 'person-last-name'],
        [t('person.position'), p.position, 'person-position'],
        [t('person.unit'), unitLink ? <a href={unitLink}>{p.unitName || p.unitId}</a> : p.unitName, 'person-unit'],
        [t('person.email'), p.email && <a href={`mailto:${p.email}`}>{p.email}</a>, 'person-email'],
        [t('person.phone'), p.phone && <a href={`tel:${p.phone.replace(/\s+/g, '')}`}>{p.phone}</a>, 'person-phone'],
        [t('person.status'), personStatus(p), 'person-status'],
      ]}
    />
  );
}
