// The unit-selection editor shared by a training's invited list ("Zaproszeni") and a mailing's
// audience ("Wysyłki"): criteria (powiaty, unit kinds, membership, segments, distance from the
// training's venue), units and persons added by hand; the draft ↔ API conversions, the
// criteria in words and the mapping of the API's 422 field names onto the editor's sections.
import { useId } from 'preact/hooks';
import { ApiError } from '../api.js';
import { SEGMENTS, UNIT_KINDS, unitKindLabel } from '../format.js';
import { getLang, msg, t } from '../i18n.js';
import { Checkbox, TextField } from '../ui.jsx';
import { Picked, PersonSearch, UnitPicker, useNames } from './search.jsx';

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

export const decimal = (s) => (getLang() === 'pl' ? String(s ?? '').replace('.', ',') : String(s ?? ''));

/* ---------- draft <-> API ---------- */

/** The editor's draft of a stored list `{criteria, unitIds, personIds}` (`unitNames`: id → name). */
export function listDraft(list, unitNames = {}) {
  const inv = list || {};
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
export function listInput(d) {
  const criteria = { powiaty: d.powiaty, unitKinds: d.unitKinds, segments: d.segments };
  if (d.membership !== 'all') criteria.membersOnly = d.membership === 'members';
  if (d.maxDistanceKm.trim()) criteria.maxDistanceKm = d.maxDistanceKm.trim();
  return { criteria, unitIds: d.units.map((u) => u.id), personIds: d.persons.map((p) => p.id) };
}

/* ---------- 422 field errors ---------- */

/** Editor section of a server field: `invited.criteria.powiaty[0]` or `audience.units.unitIds[1]` → its section. */
const SECTIONS = ['powiaty', 'unitKinds', 'membersOnly', 'segments', 'maxDistanceKm', 'unitIds', 'personIds'];
export function sectionOf(field) {
  const parts = String(field || '')
    .split(/[.[\]]+/)
    .filter(Boolean);
  return parts.find((p) => SECTIONS.includes(p)) || null;
}

export const NO_ERRORS = { bySection: {}, other: [], any: false };

/**
 * 422 `fields[]` → `{bySection: {section: text}, other: [{field, text}], any}`; `sectionFor`
 * maps a server field name to a section of the caller's form (default: the editor's sections).
 */
export function fieldErrors(err, sectionFor = sectionOf) {
  const bySection = {};
  const other = [];
  const fields = (err instanceof ApiError && Array.isArray(err.body && err.body.fields) && err.body.fields) || [];
  for (const f of fields) {
    const text = msg({ pl: f.pl || f.message?.pl, en: f.en || f.message?.en }) || f.code || f.field;
    const section = sectionFor(f.field);
    if (section && !bySection[section]) bySection[section] = text;
    else if (!section) other.push({ field: f.field, text });
  }
  return { bySection, other, any: fields.length > 0 };
}

/* ---------- criteria in words ---------- */

export function CriteriaText({ criteria, powiatName }) {
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

/* ---------- editor ---------- */

export function Fieldset({ legend, error, testid, children }) {
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
 * The fields of a unit selection: `draft` (see listDraft) changed through `onChange(next)`;
 * `errOf(section)` gives a section's error; `distanceNote` is shown under the distance field
 * (where it is measured from, or why it cannot be). Rendered inside the caller's form.
 */
export function CriteriaEditor({ draft, onChange, errOf, powiaty, unitNames = {}, distanceNote }) {
  const radio = useId();
  const personNames = useNames(
    'persons',
    draft.persons.filter((p) => !p.label).map((p) => p.id),
  );
  const set = (k, v) => onChange({ ...draft, [k]: v });
  const toggle = (k, value, on) => set(k, on ? [...draft[k], value] : draft[k].filter((x) => x !== value));
  return (
    <>
      <Fieldset legend={tr('powiaty')} error={errOf('powiaty')} testid="invited-powiaty">
        <div class="check-grid powiat-grid">
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
              <input type="radio" name={radio} value={m} checked={draft.membership === m} onChange={() => set('membership', m)} /> {tr(`membershipOptions.${m}`)}
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
          {distanceNote}
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
    </>
  );
}
