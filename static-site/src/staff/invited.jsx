// Staff training card, tab "Zaproszeni": the stored invited list (criteria in words, units and
// persons added by hand, the units it selects today) and its editor with a debounced live
// preview (POST /invited/preview with the training's venue) and save (PATCH with `version`).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, normalizePage, useApi, withQuery } from '../api.js';
import { fullName, SEGMENTS, UNIT_KINDS, unitKindLabel } from '../format.js';
import { getLang, msg, t } from '../i18n.js';
import { Checkbox, errorText, InlineError, Loading, TextField, toast } from '../ui.jsx';
import { Picked, PersonSearch, UnitPicker } from './search.jsx';

const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;
const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const PREVIEW_DELAY_MS = 400;
const tr = (key, params) => t(`training.inv.${key}`, params);

/** "1 jednostka", "3 jednostki", "5 jednostek" / "1 unit", "5 units". */
export function unitsCount(n) {
  if (n === 1) return tr('unitsOne', { n });
  if (getLang() === 'pl') {
    const mod10 = n % 10;
    const mod100 = n % 100;
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return tr('unitsFew', { n });
  }
  return tr('unitsMany', { n });
}

const decimal = (s) => (getLang() === 'pl' ? String(s ?? '').replace('.', ',') : String(s ?? ''));

/* ---------- draft <-> API ---------- */

function toDraft(stored, unitNames) {
  const inv = stored.invited || {};
  const c = inv.criteria || {};
  return {
    powiaty: c.powiaty || [],
    unitKinds: c.unitKinds || [],
    membership: c.membersOnly === true ? 'members' : c.membersOnly === false ? 'nonMembers' : 'all',
    segments: c.segments || [],
    maxDistanceKm: c.maxDistanceKm != null ? decimal(c.maxDistanceKm) : '',
    units: (inv.unitIds || []).map((id) => ({ id, label: unitNames[id] || null })),
    persons: (inv.personIds || []).map((id) => ({ id, label: null })),
  };
}

/** The InvitedListInput of a draft: it replaces the stored list as a whole. */
function toInput(d) {
  const criteria = { powiaty: d.powiaty, unitKinds: d.unitKinds, segments: d.segments };
  if (d.membership !== 'all') criteria.membersOnly = d.membership === 'members';
  if (d.maxDistanceKm.trim()) criteria.maxDistanceKm = d.maxDistanceKm.trim();
  return { criteria, unitIds: d.units.map((u) => u.id), personIds: d.persons.map((p) => p.id) };
}

/** Editor section of a server field: `invited.criteria.powiaty[0]` → `powiaty`. */
const SECTIONS = ['powiaty', 'unitKinds', 'membersOnly', 'segments', 'maxDistanceKm', 'unitIds', 'personIds'];
function sectionOf(field) {
  const parts = String(field || '')
    .split(/[.[\]]+/)
    .filter(Boolean);
  return parts.find((p) => SECTIONS.includes(p)) || null;
}

/** 422 `fields[]` → {section: message} plus the ones no section shows. */
function fieldErrors(err) {
  const bySection = {};
  const other = [];
  const fields = (err instanceof ApiError && Array.isArray(err.body && err.body.fields) && err.body.fields) || [];
  for (const f of fields) {
    const text = msg({ pl: f.pl, en: f.en }) || f.code || f.field;
    const section = sectionOf(f.field);
    if (section && !bySection[section]) bySection[section] = text;
    else if (!section) other.push({ field: f.field, text });
  }
  return { bySection, other, any: fields.length > 0 };
}

/* ---------- names ---------- */

/** Names of the given persons (invited lists hold only ids). */
function usePersonNames(ids) {
  const [names, setNames] = useState({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    Promise.all(
      ids.map((id) =>
        api(`/api/staff/persons/${encodeURIComponent(id)}`).then(
          (p) => [id, fullName(p) || id],
          () => [id, id],
        ),
      ),
    ).then((pairs) => live && setNames(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

function usePowiaty() {
  const r = useApi('/api/staff/powiaty');
  return r.data ? normalizePage(r.data).items : [];
}

/* ---------- criteria in words ---------- */

function CriteriaText({ criteria, powiatName }) {
  const c = criteria || {};
  const rows = [];
  if ((c.powiaty || []).length) rows.push([tr('powiaty'), c.powiaty.map(powiatName).join(', ')]);
  if ((c.unitKinds || []).length) rows.push([tr('unitKinds'), c.unitKinds.map(unitKindLabel).join(', ')]);
  if (c.membersOnly === true) rows.push([tr('membership'), tr('membersOnly')]);
  if (c.membersOnly === false) rows.push([tr('membership'), tr('nonMembersOnly')]);
  if ((c.segments || []).length) rows.push([tr('segments'), c.segments.join(', ')]);
  if (c.maxDistanceKm != null) rows.push([tr('distance'), tr('withinKm', { km: decimal(c.maxDistanceKm) })]);
  if (!rows.length)
    return (
      <p class="muted" data-testid="invited-criteria">
        {tr('noCriteria')}
      </p>
    );
  return (
    <ul class="criteria" data-testid="invited-criteria">
      {rows.map(([label, value]) => (
        <li key={label}>
          <span class="muted">{label}:</span> {value}
        </li>
      ))}
    </ul>
  );
}

function UnitLinks({ units, testid }) {
  if (!units.length) return <p class="muted small">{tr('noUnitsSelected')}</p>;
  return (
    <ul class="unit-links" data-testid={testid}>
      {units.map((u) => (
        <li key={u.id} data-unit={u.id}>
          <a href={unitHref(u.id)}>{u.name}</a> <span class="muted small">{unitKindLabel(u.kind)}</span>
        </li>
      ))}
    </ul>
  );
}

/* ---------- tab ---------- */

export function InvitedTab({ training, onChanged }) {
  const path = `/api/staff/trainings/${encodeURIComponent(training.id)}/invited`;
  const stored = useApi(path);
  const powiaty = usePowiaty();
  const powiatName = (code) => (powiaty.find((p) => p.teryt === code) || {}).name || code;
  const [notice, setNotice] = useState(null);
  if (stored.loading && !stored.data) return <Loading />;
  if (stored.error) return <InlineError error={stored.error} onRetry={stored.reload} />;
  if (!stored.data) return null;
  return (
    <div class="stack" data-testid="invited-tab">
      {notice && (
        <div class="form-summary" role="alert" data-testid="invited-notice">
          {notice}
        </div>
      )}
      <StoredList data={stored.data} training={training} powiatName={powiatName} />
      <InvitedEditor
        key={JSON.stringify(stored.data.invited)}
        stored={stored.data}
        training={training}
        powiaty={powiaty}
        onSaved={() => {
          setNotice(null);
          stored.reload();
          onChanged();
        }}
        onConflict={() => {
          setNotice(tr('conflict'));
          stored.reload();
          onChanged();
        }}
      />
    </div>
  );
}

function StoredList({ data, training, powiatName }) {
  const inv = data.invited || {};
  const units = data.units || [];
  const byId = Object.fromEntries(units.map((u) => [u.id, u]));
  const personIds = inv.personIds || data.personIds || [];
  const personNames = usePersonNames(personIds);
  const hasDistance = inv.criteria && inv.criteria.maxDistanceKm != null;
  return (
    <section class="card" aria-labelledby="invited-saved-title" data-testid="invited-saved">
      <h2 class="card-title" id="invited-saved-title">
        {tr('savedTitle')}
      </h2>
      <dl class="data-list">
        <div class="row">
          <dt>{tr('criteria')}</dt>
          <dd>
            <CriteriaText criteria={inv.criteria} powiatName={powiatName} />
            {hasDistance && !training.venue && <p class="field-error">{tr('distanceNoVenue')}</p>}
          </dd>
        </div>
        <div class="row">
          <dt>{tr('handUnits')}</dt>
          <dd data-testid="invited-hand-units">
            {(inv.unitIds || []).length ? (
              (inv.unitIds || []).map((id, i) => [
                i > 0 && ', ',
                <a key={id} href={unitHref(id)}>
                  {(byId[id] && byId[id].name) || id}
                </a>,
              ])
            ) : (
              <span class="muted">{t('common.none')}</span>
            )}
          </dd>
        </div>
        <div class="row">
          <dt>{tr('handPersons')}</dt>
          <dd data-testid="invited-hand-persons">
            {personIds.length ? (
              personIds.map((id, i) => [
                i > 0 && ', ',
                <a key={id} href={personHref(id)}>
                  {personNames[id] || id}
                </a>,
              ])
            ) : (
              <span class="muted">{t('common.none')}</span>
            )}
          </dd>
        </div>
      </dl>
      <h3 class="subhead">
        {tr('selectedUnits')}: <span data-testid="invited-count">{unitsCount(units.length)}</span>
      </h3>
      <UnitLinks units={units} testid="invited-units" />
    </section>
  );
}

function InvitedEditor({ stored, training, powiaty, onSaved, onConflict }) {
  const unitNames = Object.fromEntries((stored.units || []).map((u) => [u.id, u.name]));
  const [draft, setDraft] = useState(() => toDraft(stored, unitNames));
  const [errors, setErrors] = useState({ bySection: {}, other: [], any: false });
  const [summary, setSummary] = useState(null);
  const [busy, setBusy] = useState(false);
  const personNames = usePersonNames(draft.persons.filter((p) => !p.label).map((p) => p.id));
  const venueId = training.venue ? training.venue.id : '';
  const preview = usePreview(toInput(draft), venueId);

  const set = (k, v) => setDraft((d) => ({ ...d, [k]: v }));
  const toggle = (k, value, on) => setDraft((d) => ({ ...d, [k]: on ? [...d[k], value] : d[k].filter((x) => x !== value) }));
  // Errors of the preview and of the last save, the preview's being the newer when both exist.
  const errOf = (section) => preview.errors.bySection[section] || errors.bySection[section] || '';
  const changed = JSON.stringify(toInput(draft)) !== JSON.stringify(toInput(toDraft(stored, unitNames)));

  const save = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({ bySection: {}, other: [], any: false });
    setSummary(null);
    try {
      await api(`/api/staff/trainings/${encodeURIComponent(training.id)}`, { method: 'PATCH', body: { invited: toInput(draft), version: training.version } });
      toast(tr('saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        onConflict();
      } else {
        const fe = fieldErrors(err);
        if (fe.any) {
          setErrors(fe);
          setSummary(err.body && err.body.message ? msg(err.body.message) : t('common.fixErrors'));
        } else {
          setSummary(errorText(err));
        }
      }
    } finally {
      setBusy(false);
    }
  };

  const named = [...Object.entries(errors.bySection).map(([section, text]) => ({ field: tr(`section.${section}`), text })), ...errors.other];
  return (
    <form class="card form" aria-labelledby="invited-edit-title" onSubmit={save} noValidate data-testid="invited-form">
      <h2 class="card-title" id="invited-edit-title">
        {tr('editTitle')}
      </h2>
      <p class="muted small">{tr('editIntro')}</p>
      {summary && (
        <div class="form-summary" role="alert" data-testid="form-error">
          <p>{summary}</p>
          {named.length > 0 && (
            <ul>
              {named.map((x) => (
                <li key={x.field}>
                  <strong>{x.field}</strong>: {x.text}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <Fieldset legend={tr('powiaty')} error={errOf('powiaty')} testid="invited-powiaty">
        <div class="check-grid">
          {powiaty.map((p) => (
            <Checkbox key={p.teryt} label={p.name} checked={draft.powiaty.includes(p.teryt)} onChange={(on) => toggle('powiaty', p.teryt, on)} />
          ))}
        </div>
      </Fieldset>

      <Fieldset legend={tr('unitKinds')} error={errOf('unitKinds')} testid="invited-kinds">
        <div class="check-row">
          {UNIT_KINDS.map((k) => (
            <Checkbox key={k} label={unitKindLabel(k)} checked={draft.unitKinds.includes(k)} onChange={(on) => toggle('unitKinds', k, on)} />
          ))}
        </div>
      </Fieldset>

      <Fieldset legend={tr('membership')} error={errOf('membersOnly')} testid="invited-membership">
        <div class="check-inline">
          {['all', 'members', 'nonMembers'].map((m) => (
            <label key={m} class="radio">
              <input type="radio" name="invited-membership" value={m} checked={draft.membership === m} onChange={() => set('membership', m)} /> {tr(`membershipOptions.${m}`)}
            </label>
          ))}
        </div>
      </Fieldset>

      <Fieldset legend={tr('segments')} error={errOf('segments')} testid="invited-segments">
        <div class="check-row">
          {SEGMENTS.map((s) => (
            <Checkbox key={s} label={s} checked={draft.segments.includes(s)} onChange={(on) => toggle('segments', s, on)} />
          ))}
        </div>
      </Fieldset>

      <div class="grid-2">
        <div>
          <TextField
            label={tr('maxDistance')}
            inputMode="decimal"
            placeholder="30"
            hint={tr('distanceHint')}
            value={draft.maxDistanceKm}
            onInput={(e) => set('maxDistanceKm', e.currentTarget.value)}
            error={errOf('maxDistanceKm')}
          />
          {!training.venue && (
            <p class="notice small" data-testid="distance-no-venue">
              {tr('distanceNoVenue')}
            </p>
          )}
          {training.venue && <p class="muted small">{tr('distanceFrom', { venue: training.venue.name })}</p>}
        </div>
      </div>

      <Fieldset legend={tr('handUnits')} error={errOf('unitIds')} testid="invited-hand-units-edit">
        <Picked
          items={draft.units.map((u) => ({ id: u.id, label: u.label || unitNames[u.id] || u.id }))}
          empty={tr('noHandUnits')}
          onRemove={(id) =>
            set(
              'units',
              draft.units.filter((u) => u.id !== id),
            )
          }
        />
        <UnitPicker label={tr('addUnit')} value={null} onChange={(u) => u && !draft.units.some((x) => x.id === u.id) && set('units', [...draft.units, { id: u.id, label: u.name }])} />
      </Fieldset>

      <Fieldset legend={tr('handPersons')} error={errOf('personIds')} testid="invited-hand-persons-edit">
        <Picked
          items={draft.persons.map((p) => ({ id: p.id, label: p.label || personNames[p.id] || p.id }))}
          empty={tr('noHandPersons')}
          onRemove={(id) =>
            set(
              'persons',
              draft.persons.filter((p) => p.id !== id),
            )
          }
        />
        <PersonSearch label={tr('addPerson')} excludeIds={draft.persons.map((p) => p.id)} onPick={(p) => set('persons', [...draft.persons, { id: p.id, label: p.label }])} />
      </Fieldset>

      <Preview preview={preview} />

      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : tr('save')}
        </button>
        <button type="button" class="btn" disabled={busy || !changed} onClick={() => setDraft(toDraft(stored, unitNames))}>
          {tr('revert')}
        </button>
        {changed && <span class="muted small">{tr('unsaved')}</span>}
      </div>
    </form>
  );
}

function Fieldset({ legend, error, testid, children }) {
  return (
    <fieldset class={`fieldset ${error ? 'fieldset-error' : ''}`} data-testid={testid}>
      <legend>{legend}</legend>
      {children}
      {error && (
        <p class="field-error" data-testid="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * Debounced POST /api/staff/invited/preview of `input` (with the training's venue, for the
 * distance criterion). 422 field errors come back per editor section.
 */
function usePreview(input, venueId) {
  const body = JSON.stringify(input);
  const [state, setState] = useState({ data: null, error: null, errors: { bySection: {}, other: [], any: false }, loading: true });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api(withQuery('/api/staff/invited/preview', { venueId }), { method: 'POST', body: JSON.parse(body), signal: ctrl.signal }).then(
        (data) => setState({ data, error: null, errors: { bySection: {}, other: [], any: false }, loading: false }),
        (err) => {
          if (err.name === 'AbortError') return;
          const fe = fieldErrors(err);
          setState({ data: null, error: fe.any ? null : err, errors: fe, loading: false });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [body, venueId]);
  return state;
}

function Preview({ preview }) {
  const units = preview.data ? preview.data.units || [] : [];
  return (
    <section class="card subcard" aria-labelledby="invited-preview-title" aria-busy={preview.loading ? 'true' : 'false'} data-testid="invited-preview">
      <h3 class="card-title" id="invited-preview-title">
        {tr('previewTitle')}
      </h3>
      <p role="status" aria-live="polite">
        {preview.loading && !preview.data ? (
          <span class="muted">{tr('previewing')}</span>
        ) : preview.error ? (
          <span class="field-error">{errorText(preview.error)}</span>
        ) : preview.errors.any ? (
          <span class="field-error">{tr('previewInvalid')}</span>
        ) : (
          <strong data-testid="invited-preview-count">{unitsCount(units.length)}</strong>
        )}
        {preview.loading && preview.data && <span class="muted"> · {tr('previewing')}</span>}
      </p>
      {preview.errors.other.length > 0 && (
        <ul class="field-error">
          {preview.errors.other.map((o) => (
            <li key={o.field}>
              <code>{o.field}</code>: {o.text}
            </li>
          ))}
        </ul>
      )}
      {preview.data && units.length > 0 && <UnitLinks units={units} testid="invited-preview-units" />}
    </section>
  );
}
