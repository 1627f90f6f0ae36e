// Extranet (e-WOKiSS) for unit administrators and participants.
import { useEffect, useState } from 'preact/hooks';
import { api, useApi, usePaged, withQuery } from '../api.js';
import { fullName, personStatus, unitKindLabel } from '../format.js';
import { t } from '../i18n.js';
import { LeaveForm, leaveLabel, PersonCreateForm, PersonEditForm } from '../persons.jsx';
import { href, navigate } from '../router.js';
import { PersonData } from '../staff/person.jsx';
import { PersonsTable, UnitData } from '../staff/units.jsx';
import { Checkbox, ErrorView, FormActions, FormSummary, InlineError, Loading, SelectField, toast, useForm } from '../ui.jsx';

const personHref = (id) => `#/ext/persons/${encodeURIComponent(id)}`;
/** A participant may change only these fields of the own record (names and e-mail are the login identity). */
const SELF_SERVICE_FIELDS = ['position', 'phone'];

export function myUnits(me) {
  if (!me || !me.unit) return [];
  return [me.unit, ...(me.subUnits || [])];
}

function unitOptions(me) {
  const sub = new Set((me.subUnits || []).map((u) => u.id));
  return myUnits(me).map((u) => ({ value: u.id, label: sub.has(u.id) ? `— ${u.name}` : u.name }));
}

/**
 * "Do poprawy": the open tasks the association's office shares with the administrator's units
 * (e.g. an e-mail address that bounces), each linking to the person to correct.
 */
function UnitTasks({ me }) {
  const ids = myUnits(me).map((u) => u.id);
  const key = ids.join(',');
  const [state, setState] = useState({ tasks: null, error: null, tick: 0 });
  useEffect(() => {
    let live = true;
    Promise.all(ids.map((id) => api(`/api/extranet/units/${encodeURIComponent(id)}/tasks`))).then(
      (lists) => live && setState((s) => ({ ...s, tasks: lists.flat(), error: null })),
      (error) => live && setState((s) => ({ ...s, tasks: null, error })),
    );
    return () => {
      live = false;
    };
  }, [key, state.tick]);
  const tasks = state.tasks || [];
  return (
    <section class="card" aria-labelledby="unit-tasks-title" data-testid="unit-tasks">
      <h2 class="card-title" id="unit-tasks-title">
        {t('mailings.tasksTitle')} {tasks.length > 0 && <span class="badge badge-danger">{tasks.length}</span>}
      </h2>
      {state.error ? (
        <InlineError error={state.error} onRetry={() => setState((s) => ({ ...s, tick: s.tick + 1 }))} />
      ) : !state.tasks ? (
        <Loading />
      ) : !tasks.length ? (
        <p class="muted">{t('mailings.tasksNone')}</p>
      ) : (
        <>
          <p class="muted small">{t('mailings.tasksIntro')}</p>
          <ul class="task-list">
            {tasks.map((task) => {
              const person = (task.links || []).find((l) => l.kind === 'person');
              return (
                <li key={task.id} data-testid="unit-task">
                  <strong>{task.title}</strong>
                  {task.description && <div class="small">{task.description}</div>}
                  {person && (
                    <div class="small">
                      <a href={personHref(person.id)}>
                        {t('mailings.tasksPerson')}
                        {person.label ? `: ${person.label}` : ''}
                      </a>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export function MyUnitPage({ me }) {
  const unit = me.unit;
  const subs = me.subUnits || [];
  return (
    <section class="page" data-testid="my-unit">
      <div class="page-head">
        <div>
          <h1>{unit.name}</h1>
          <p class="subtitle">
            <span class="badge">{unitKindLabel(unit.kind)}</span>
          </p>
        </div>
      </div>
      <UnitTasks me={me} />
      <div class="card">
        <h2 class="card-title">{t('unit.data')}</h2>
        <UnitData unit={unit} linkParent={false} />
        <p class="note">{t('ext.readOnly')}</p>
      </div>
      <div class="card">
        <h2 class="card-title">{t('ext.subUnits')}</h2>
        {subs.length === 0 ? (
          <p class="muted">{t('ext.noSubUnits')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="sub-units">
              <thead>
                <tr>
                  <th scope="col">{t('unit.name')}</th>
                  <th scope="col">{t('unit.kind')}</th>
                </tr>
              </thead>
              <tbody>
                {subs.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <a href={href('/ext/persons', { unitId: u.id })}>{u.name}</a>
                    </td>
                    <td>{unitKindLabel(u.kind)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

export function EmployeesPage({ me, query }) {
  const unitId = query.get('unitId') || '';
  const includeLeft = query.get('former') === '1';
  const list = usePaged(withQuery('/api/extranet/persons', { unitId, includeLeft: includeLeft ? 'true' : '' }));
  const setQ = (k, v) => navigate(href('/ext/persons', { unitId, former: includeLeft ? '1' : '', [k]: v }).slice(1), { replace: true });
  const several = myUnits(me).length > 1;
  return (
    <section class="page">
      <div class="page-head">
        <h1>{t('ext.employees')}</h1>
        <a class="btn btn-primary" href="#/ext/persons/new">
          {t('ext.addEmployee')}
        </a>
      </div>
      <form class="filters card" aria-label={t('units.filters')} onSubmit={(e) => e.preventDefault()}>
        {several && (
          <SelectField
            label={t('ext.unit')}
            value={unitId}
            onInput={(e) => setQ('unitId', e.currentTarget.value)}
            options={[{ value: '', label: t('ext.allUnits') }, ...unitOptions(me)]}
          />
        )}
        <Checkbox label={t('ext.showFormer')} checked={includeLeft} onChange={(on) => setQ('former', on ? '1' : '')} />
      </form>
      <div class="card flush">
        <PersonsTable list={list} hrefFor={personHref} showUnit={several} />
      </div>
    </section>
  );
}

export function AddEmployeePage({ me }) {
  return (
    <section class="page">
      <p class="crumbs">
        <a href="#/ext/persons">{t('ext.employees')}</a>
      </p>
      <PersonCreateForm
        apiBase="/api/extranet"
        title={t('ext.addTitle')}
        unitOptions={unitOptions(me)}
        personHref={personHref}
        onCreated={() => navigate('/ext/persons')}
        onCancel={() => navigate('/ext/persons')}
        testid="employee-create-form"
      />
    </section>
  );
}

function MoveToSubForm({ me, person, onDone, onCancel }) {
  const options = myUnits(me)
    .filter((u) => u.id !== person.unitId)
    .map((u) => ({ value: u.id, label: u.name }));
  const form = useForm({ unitId: options[0] ? options[0].value : '' }, ['unitId']);
  const onSubmit = form.submit(async (v) => {
    await api(`/api/extranet/persons/${encodeURIComponent(person.id)}/move`, { method: 'POST', body: { unitId: v.unitId } });
    const u = options.find((o) => o.value === v.unitId);
    toast(t('person.moved', { unit: u ? u.label : v.unitId }));
    onDone();
  });
  return (
    <form class="card form" aria-label={t('ext.moveToSub')} onSubmit={onSubmit} noValidate data-testid="move-form">
      <h2 class="card-title">
        {t('ext.moveToSub')}: {fullName(person)}
      </h2>
      <FormSummary form={form} />
      {options.length === 0 ? (
        <p class="muted">{t('ext.noSubToMove')}</p>
      ) : (
        <SelectField label={t('person.moveTo')} required options={options} {...form.bind('unitId')} />
      )}
      <FormActions busy={form.busy || options.length === 0} submitLabel={t('person.moveSubmit')} onCancel={onCancel} />
    </form>
  );
}

export function ExtPersonPage({ me, id }) {
  const res = useApi(`/api/extranet/persons/${encodeURIComponent(id)}`);
  const [mode, setMode] = useState(null);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  const p = res.data;
  if (!p) return null;
  const done = (updated) => {
    setMode(null);
    if (updated) res.setData(updated);
    else res.reload();
  };
  const canMove = myUnits(me).some((u) => u.id !== p.unitId);
  return (
    <section class="page" data-testid="person-card">
      <p class="crumbs">
        <a href="#/ext/persons">{t('ext.employees')}</a>
      </p>
      <div class="page-head">
        <div>
          <h1 data-testid="person-name">{fullName(p)}</h1>
          <p class="subtitle">
            {p.position && <span>{p.position} · </span>}
            {p.unitName} <span class={`badge ${p.status === 'left' ? '' : 'badge-ok'}`}>{personStatus(p)}</span>
          </p>
        </div>
        {mode === null && p.status !== 'left' && (
          <div class="actions">
            <button type="button" class="btn" onClick={() => setMode('edit')}>
              {t('person.edit')}
            </button>
            {canMove && (
              <button type="button" class="btn" onClick={() => setMode('move')}>
                {t('ext.moveToSub')}
              </button>
            )}
            <button type="button" class="btn btn-warning" onClick={() => setMode('leave')}>
              {leaveLabel(p)}
            </button>
          </div>
        )}
      </div>
      {mode === 'edit' && (
        <PersonEditForm apiBase="/api/extranet" person={p} personHref={personHref} onSaved={done} onCancel={() => setMode(null)} />
      )}
      {mode === 'leave' && <LeaveForm apiBase="/api/extranet" person={p} onDone={() => done(null)} onCancel={() => setMode(null)} />}
      {mode === 'move' && <MoveToSubForm me={me} person={p} onDone={() => done(null)} onCancel={() => setMode(null)} />}
      {mode !== 'edit' && (
        <div class="card">
          <h2 class="card-title">{t('person.data')}</h2>
          <PersonData person={p} />
        </div>
      )}
    </section>
  );
}

export function MyDataPage({ me, onChanged }) {
  const [editing, setEditing] = useState(false);
  const p = me.person;
  if (!p) {
    return (
      <section class="page">
        <h1>{t('ext.myData')}</h1>
        <p class="note">{t('ext.noPerson')}</p>
      </section>
    );
  }
  return (
    <section class="page" data-testid="my-data">
      <div class="page-head">
        <div>
          <h1>{t('ext.myData')}</h1>
          <p class="subtitle">
            {fullName(p)} · {p.unitName}
          </p>
        </div>
        {!editing && (
          <button type="button" class="btn" onClick={() => setEditing(true)}>
            {t('person.edit')}
          </button>
        )}
      </div>
      {editing ? (
        <PersonEditForm
          apiBase="/api/extranet"
          person={p}
          fields={me.role === 'participant' ? SELF_SERVICE_FIELDS : undefined}
          personHref={personHref}
          onSaved={() => {
            setEditing(false);
            onChanged && onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div class="card">
          <PersonData person={p} />
        </div>
      )}
    </section>
  );
}
