// Staff CRM: units list with filters, unit card (data, edit, tabs), new unit form.
import { api, normalizePage, useApi, usePaged, withQuery } from '../api.js';
import { fullName, membershipText, personStatus, SEGMENTS, UNIT_KINDS, unitKindLabel } from '../format.js';
import { getLang, t } from '../i18n.js';
import { PersonCreateForm, useToggle } from '../persons.jsx';
import { href, navigate } from '../router.js';
import { Checkbox, DataList, ErrorView, FormActions, FormSummary, InlineError, Loading, MoreButton, SelectField, TabPanel, Tabs, TextArea, TextField, checkFields, toast, useForm } from '../ui.jsx';
import { AuditSection, HistorySection, TasksSection } from './activity.jsx';
import { UnitPicker, usePowiaty } from './search.jsx';
import { UnitTrainingsTab } from './trainings.jsx';
import { UnitBillingTab } from './billing.jsx';
import { UnitDocumentsTab } from './documents.jsx';

const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;

/* ---------- list ---------- */

export function UnitsList({ query }) {
  const filters = { kind: query.get('kind') || '', powiat: query.get('powiat') || '', member: query.get('member') || '' };
  const list = usePaged(withQuery('/api/staff/units', filters));
  const powiaty = usePowiaty();
  const powiatName = (teryt) => (powiaty.find((p) => p.teryt === teryt) || {}).name || teryt || '';
  const setFilter = (k, v) => navigate(href('/crm/units', { ...filters, [k]: v }).slice(1), { replace: true });

  return (
    <section class="page">
      <div class="page-head">
        <h1>{t('units.title')}</h1>
        <a class="btn btn-primary" href="#/crm/units/new">
          {t('units.add')}
        </a>
      </div>
      <form class="filters card" aria-label={t('units.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('units.kind')}
          value={filters.kind}
          onInput={(e) => setFilter('kind', e.currentTarget.value)}
          options={[{ value: '', label: t('units.any') }, ...UNIT_KINDS.map((k) => ({ value: k, label: unitKindLabel(k) }))]}
        />
        <SelectField
          label={t('units.powiat')}
          value={filters.powiat}
          onInput={(e) => setFilter('powiat', e.currentTarget.value)}
          options={[{ value: '', label: t('units.anyPowiat') }, ...powiaty.map((p) => ({ value: p.teryt, label: p.name }))]}
        />
        <SelectField
          label={t('units.member')}
          value={filters.member}
          onInput={(e) => setFilter('member', e.currentTarget.value)}
          options={[
            { value: '', label: t('units.any') },
            { value: 'true', label: t('units.members') },
            { value: 'false', label: t('units.nonMembers') },
          ]}
        />
      </form>
      {list.loading ? (
        <Loading />
      ) : list.error ? (
        <InlineError error={list.error} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <p class="muted">{t('units.empty')}</p>
      ) : (
        <>
          <div class="table-wrap card flush">
            <table class="table" data-testid="units-table">
              <thead>
                <tr>
                  <th scope="col">{t('unit.name')}</th>
                  <th scope="col">{t('unit.kind')}</th>
                  <th scope="col">{t('unit.powiat')}</th>
                  <th scope="col">{t('unit.city')}</th>
                  <th scope="col">{t('unit.teryt')}</th>
                  <th scope="col">{t('unit.membership')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <a href={unitHref(u.id)}>{u.name}</a>
                      {u.parentName && <div class="muted small">{u.parentName}</div>}
                    </td>
                    <td>{unitKindLabel(u.kind)}</td>
                    <td>{powiatName(u.powiatTeryt)}</td>
                    <td>{u.address && u.address.city}</td>
                    <td class="mono">{u.teryt}</td>
                    <td>
                      <span class={`badge ${u.isMember ? 'badge-ok' : ''}`}>{membershipText(u)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">{t('units.count', { n: list.items.length })}</p>
          <MoreButton list={list} />
        </>
      )}
    </section>
  );
}

/* ---------- form (create and edit) ---------- */

const UNIT_FIELDS = ['name', 'kind', 'teryt', 'nip', 'regon', 'street', 'postalCode', 'city', 'latitude', 'longitude', 'email', 'phone', 'parentId', 'memberSince', 'memberUntil', 'segments', 'notes'];

/** A coordinate as the API gives it ("52.2475") in the language's decimal notation. */
export function fmtCoordinate(value) {
  const s = String(value ?? '');
  return getLang() === 'pl' ? s.replace('.', ',') : s;
}

function unitToForm(u) {
  const a = u.address || {};
  const m = u.membership || {};
  const c = u.coordinates || {};
  return {
    name: u.name || '',
    kind: u.kind || 'gmina_wiejska',
    teryt: u.teryt || '',
    nip: u.nip || '',
    regon: u.regon || '',
    street: a.street || '',
    postalCode: a.postalCode || '',
    city: a.city || '',
    latitude: fmtCoordinate(c.latitude),
    longitude: fmtCoordinate(c.longitude),
    email: u.email || '',
    phone: u.phone || '',
    parent: u.parentId ? { id: u.parentId, name: u.parentName || u.parentId } : null,
    memberSince: m.memberSince || '',
    memberUntil: m.memberUntil || '',
    segments: u.segments || [],
    notes: u.notes || '',
  };
}

const opt = (s) => (s.trim() === '' ? undefined : s.trim());

function formToCreate(v) {
  const body = { name: v.name.trim(), kind: v.kind, segments: v.segments };
  for (const k of ['teryt', 'nip', 'regon', 'email', 'phone', 'notes']) if (opt(v[k])) body[k] = opt(v[k]);
  const address = {};
  for (const k of ['street', 'postalCode', 'city']) if (opt(v[k])) address[k] = opt(v[k]);
  if (Object.keys(address).length) body.address = address;
  // Both or neither: the API reads one without the other as an error on the missing one.
  if (opt(v.latitude) || opt(v.longitude)) {
    body.latitude = v.latitude.trim();
    body.longitude = v.longitude.trim();
  }
  for (const k of ['memberSince', 'memberUntil']) if (opt(v[k])) body[k] = opt(v[k]);
  if (v.parent) body.parentId = v.parent.id;
  return body;
}

/**
 * Partial PATCH body: only changed fields plus `version`. An absent field stays unchanged and
 * "" clears it (the API treats null like absent); `address` carries only its changed parts.
 */
function formToPatch(v, unit) {
  const before = unitToForm(unit);
  const body = { version: unit.version };
  for (const k of ['name', 'kind', 'teryt', 'nip', 'regon', 'email', 'phone', 'notes', 'memberSince', 'memberUntil']) {
    const now = v[k].trim();
    if (now !== before[k]) body[k] = now;
  }
  const address = {};
  for (const k of ['street', 'postalCode', 'city']) {
    const now = v[k].trim();
    if (now !== before[k]) address[k] = now;
  }
  if (Object.keys(address).length) body.address = address;
  // Coordinates travel as a pair (both "" clears them), and only when one of them changed.
  if (v.latitude.trim() !== before.latitude || v.longitude.trim() !== before.longitude) {
    body.latitude = v.latitude.trim();
    body.longitude = v.longitude.trim();
  }
  if ([...v.segments].sort().join('|') !== [...before.segments].sort().join('|')) body.segments = v.segments;
  const pid = v.parent ? v.parent.id : '';
  if (pid !== (unit.parentId || '')) body.parentId = pid;
  return body;
}

export function UnitForm({ unit, onSaved, onCancel }) {
  const form = useForm(unit ? unitToForm(unit) : unitToForm({}), UNIT_FIELDS);
  const v = form.values;
  const onSubmit = form.submit(
    async (values) => {
      if (unit) {
        const updated = await api(`/api/staff/units/${encodeURIComponent(unit.id)}`, { method: 'PATCH', body: formToPatch(values, unit) });
        toast(t('unit.saved'));
        onSaved && onSaved(updated && updated.id ? updated : null);
      } else {
        const created = await api('/api/staff/units', { method: 'POST', body: formToCreate(values) });
        toast(t('unit.created'));
        onSaved && onSaved(created);
      }
    },
    (values) => checkFields(values, { required: ['name', 'kind'], emails: ['email'] }),
  );
  const toggleSegment = (s, on) => form.set('segments', on ? [...v.segments, s] : v.segments.filter((x) => x !== s));
  return (
    <form class="card form" aria-label={unit ? t('unit.editTitle') : t('unit.new')} onSubmit={onSubmit} noValidate data-testid="unit-form">
      <h2 class="card-title">{unit ? t('unit.editTitle') : t('unit.new')}</h2>
      <FormSummary form={form} />
      <div class="grid-2">
        <TextField label={t('unit.name')} required className="span-2" {...form.bind('name')} />
        <SelectField label={t('unit.kind')} required options={UNIT_KINDS.map((k) => ({ value: k, label: unitKindLabel(k) }))} {...form.bind('kind')} />
        <UnitPicker label={t('unit.parent')} value={v.parent} excludeId={unit && unit.id} onChange={(p) => form.set('parent', p)} error={form.bind('parentId').error} />
        <TextField label={t('unit.teryt')} inputMode="numeric" {...form.bind('teryt')} />
        <TextField label={t('unit.nip')} inputMode="numeric" {...form.bind('nip')} />
        <TextField label={t('unit.regon')} inputMode="numeric" {...form.bind('regon')} />
        <TextField label={t('unit.street')} {...form.bind('street')} />
        <TextField label={t('unit.postalCode')} placeholder="00-000" {...form.bind('postalCode')} />
        <TextField label={t('unit.city')} {...form.bind('city')} />
        <TextField label={t('unit.latitude')} inputMode="decimal" placeholder={fmtCoordinate('52.4064')} hint={t('unit.latitudeHint')} {...form.bind('latitude')} />
        <TextField label={t('unit.longitude')} inputMode="decimal" placeholder={fmtCoordinate('16.9252')} hint={t('unit.longitudeHint')} {...form.bind('longitude')} />
        <TextField label={t('unit.email')} type="email" {...form.bind('email')} />
        <TextField label={t('unit.phone')} type="tel" {...form.bind('phone')} />
        <TextField label={t('unit.memberSince')} type="date" {...form.bind('memberSince')} />
        <TextField label={t('unit.memberUntil')} type="date" {...form.bind('memberUntil')} />
      </div>
      <fieldset class="fieldset">
        <legend>{t('unit.segments')}</legend>
        <div class="check-row">
          {SEGMENTS.map((s) => (
            <Checkbox key={s} label={s} checked={v.segments.includes(s)} onChange={(on) => toggleSegment(s, on)} />
          ))}
        </div>
        {form.bind('segments').error && <p class="field-error">{form.bind('segments').error}</p>}
      </fieldset>
      <TextArea label={t('unit.notes')} rows={3} {...form.bind('notes')} />
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}

export function UnitNew() {
  return (
    <section class="page">
      <p class="crumbs">
        <a href="#/crm/units">{t('units.title')}</a>
      </p>
      <UnitForm onSaved={(u) => navigate(u && u.id ? `/crm/units/${encodeURIComponent(u.id)}` : '/crm/units')} onCancel={() => navigate('/crm/units')} />
    </section>
  );
}

/* ---------- card ---------- */

export function UnitData({ unit, linkParent = true }) {
  const a = unit.address || {};
  const addr = [a.street, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return (
    <DataList
      rows={[
        [t('unit.kind'), unitKindLabel(unit.kind), 'unit-kind'],
        [t('unit.teryt'), unit.teryt && <span class="mono">{unit.teryt}</span>, 'unit-teryt'],
        [t('unit.nip'), unit.nip && <span class="mono">{unit.nip}</span>, 'unit-nip'],
        [t('unit.regon'), unit.regon && <span class="mono">{unit.regon}</span>, 'unit-regon'],
        [t('unit.address'), addr, 'unit-address'],
        [t('unit.coordinates'), unit.coordinates && <Coordinates at={unit.coordinates} />, 'unit-coordinates'],
        [t('unit.email'), unit.email && <a href={`mailto:${unit.email}`}>{unit.email}</a>, 'unit-email'],
        [t('unit.phone'), unit.phone, 'unit-phone'],
        [t('unit.parent'), unit.parentId && (linkParent ? <a href={unitHref(unit.parentId)}>{unit.parentName || unit.parentId}</a> : unit.parentName), 'unit-parent'],
        [t('unit.membership'), membershipText(unit), 'unit-membership'],
        [t('unit.segments'), (unit.segments || []).length ? (unit.segments || []).map((s) => <span key={s} class="badge badge-seg">{s}</span>) : null, 'unit-segments'],
        [t('unit.notes'), unit.notes && <span class="pre">{unit.notes}</span>, 'unit-notes'],
      ]}
    />
  );
}

/** "52,2475, 17,0969" (pl: decimal commas, so a semicolon between) and a map link. */
function Coordinates({ at }) {
  const { latitude, longitude } = at;
  const osm = `https://www.openstreetmap.org/?mlat=${encodeURIComponent(latitude)}&mlon=${encodeURIComponent(longitude)}#map=14/${encodeURIComponent(latitude)}/${encodeURIComponent(longitude)}`;
  return (
    <>
      <span class="mono">
        {fmtCoordinate(latitude)}
        {getLang() === 'pl' ? '; ' : ', '}
        {fmtCoordinate(longitude)}
      </span>{' '}
      <a href={osm} target="_blank" rel="noopener noreferrer" data-testid="unit-map-link">
        {t('unit.showOnMap')}
      </a>
    </>
  );
}

function PersonsTab({ unit }) {
  const [showLeft, , setShowLeft] = useToggle(false);
  const list = usePaged(withQuery(`/api/staff/units/${encodeURIComponent(unit.id)}/persons`, { includeLeft: showLeft ? 'true' : '' }));
  const [adding, toggleAdding, setAdding] = useToggle(false);
  return (
    <div class="stack">
      <div class="toolbar">
        <button type="button" class="btn btn-primary" aria-expanded={adding ? 'true' : 'false'} onClick={toggleAdding}>
          {t('person.add')}
        </button>
        <Checkbox label={t('person.showLeft')} checked={showLeft} onChange={setShowLeft} />
      </div>
      {adding && (
        <PersonCreateForm
          apiBase="/api/staff"
          unitId={unit.id}
          personHref={personHref}
          onCreated={() => {
            setAdding(false);
            list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      <PersonsTable list={list} hrefFor={personHref} />
    </div>
  );
}

export function PersonsTable({ list, hrefFor, showUnit }) {
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('person.empty')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="persons-table">
          <thead>
            <tr>
              <th scope="col">{t('person.name')}</th>
              <th scope="col">{t('person.position')}</th>
              {showUnit && <th scope="col">{t('person.unit')}</th>}
              <th scope="col">{t('person.email')}</th>
              <th scope="col">{t('person.phone')}</th>
              <th scope="col">{t('person.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => (
              <tr key={p.id} class={p.status === 'left' ? 'is-closed' : ''}>
                <td>
                  <a href={hrefFor(p.id)}>{fullName(p)}</a>
                </td>
                <td>{p.position}</td>
                {showUnit && <td>{p.unitName}</td>}
                <td>{p.email}</td>
                <td class="nowrap">{p.phone}</td>
                <td>{personStatus(p)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

function ChildrenTab({ unit }) {
  const list = usePaged(`/api/staff/units/${encodeURIComponent(unit.id)}/children`);
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('ext.noSubUnits')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="children-table">
          <thead>
            <tr>
              <th scope="col">{t('unit.name')}</th>
              <th scope="col">{t('unit.kind')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id}>
                <td>
                  <a href={unitHref(u.id)}>{u.name}</a>
                </td>
                <td>{unitKindLabel(u.kind)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

function HistoryTab({ unit }) {
  const persons = useApi(`/api/staff/units/${encodeURIComponent(unit.id)}/persons`);
  const active = persons.data ? normalizePage(persons.data).items.filter((p) => p.status !== 'left') : [];
  return <HistorySection path={`/api/staff/units/${encodeURIComponent(unit.id)}/history`} persons={active} self={{ kind: 'unit', id: unit.id }} />;
}

const UNIT_TABS = ['persons', 'children', 'trainings', 'billing', 'documents', 'history', 'tasks', 'audit'];

export function UnitCard({ id, query }) {
  const res = useApi(`/api/staff/units/${encodeURIComponent(id)}`);
  const parentId = res.data && res.data.parentId;
  const parent = useApi(parentId ? `/api/staff/units/${encodeURIComponent(parentId)}` : null);
  const [editing, toggleEditing, setEditing] = useToggle(false);
  const tab = UNIT_TABS.includes(query.get('tab')) ? query.get('tab') : 'persons';
  const setTab = (x) => navigate(href(`/crm/units/${encodeURIComponent(id)}`, { tab: x === 'persons' ? '' : x }).slice(1), { replace: true });

  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  if (!res.data) return null;
  // The API gives the parent's id only; its name comes from the parent's own record.
  const parentName = parent.data && parent.data.id === parentId ? parent.data.name : undefined;
  const unit = { ...res.data, parentName };
  return (
    <section class="page" data-testid="unit-card">
      <p class="crumbs">
        <a href="#/crm/units">{t('units.title')}</a>
        {unit.parentId && (
          <>
            {' / '}
            <a href={unitHref(unit.parentId)}>{unit.parentName || unit.parentId}</a>
          </>
        )}
      </p>
      <div class="page-head">
        <div>
          <h1>{unit.name}</h1>
          <p class="subtitle">
            <span class="badge">{unitKindLabel(unit.kind)}</span> <span class={`badge ${unit.isMember ? 'badge-ok' : ''}`}>{membershipText(unit)}</span>
          </p>
        </div>
        {!editing && (
          <button type="button" class="btn" onClick={toggleEditing}>
            {t('common.edit')}
          </button>
        )}
      </div>
      {editing ? (
        <UnitForm
          unit={unit}
          onSaved={(u) => {
            setEditing(false);
            if (u) res.setData(u);
            else res.reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div class="card">
          <h2 class="card-title">{t('unit.data')}</h2>
          <UnitData unit={unit} />
        </div>
      )}
      <Tabs
        label={t('tab.label')}
        active={tab}
        onChange={setTab}
        tabs={UNIT_TABS.map((x) => ({ id: x, label: x === 'billing' ? t('billing.unitTab.tab') : x === 'documents' ? t('documents.tab') : t(`tab.${x}`) }))}
      />
      <TabPanel id={tab}>
        {tab === 'persons' && <PersonsTab unit={unit} />}
        {tab === 'children' && <ChildrenTab unit={unit} />}
        {tab === 'trainings' && <UnitTrainingsTab unit={unit} />}
        {tab === 'billing' && <UnitBillingTab unit={unit} />}
        {tab === 'documents' && <UnitDocumentsTab unit={unit} />}
        {tab === 'history' && <HistoryTab unit={unit} />}
        {tab === 'tasks' && <TasksSection path={`/api/staff/units/${encodeURIComponent(unit.id)}/tasks`} self={{ kind: 'unit', id: unit.id, label: unit.name }} />}
        {tab === 'audit' && <AuditSection path={`/api/staff/units/${encodeURIComponent(unit.id)}/audit`} />}
      </TabPanel>
    </section>
  );
}

