// Staff training card, tab "Zaproszeni": the stored invited list (criteria in words, units and
// persons added by hand, the units it selects today) and its editor with a debounced live
// preview (POST /invited/preview with the training's venue) and save (PATCH with `version`).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, useApi, withQuery } from '../api.js';
import { unitKindLabel } from '../format.js';
import { msg, t } from '../i18n.js';
import { errorText, InlineError, Loading, toast } from '../ui.jsx';
import { CriteriaEditor, CriteriaText, fieldErrors, listDraft, listInput, NO_ERRORS, unitsCount } from './criteria.jsx';
import { useNames, usePowiaty } from './search.jsx';

export { unitsCount };

const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;
const personHref = (id) => `#/crm/persons/${encodeURIComponent(id)}`;
const PREVIEW_DELAY_MS = 400;
const tr = (key, params) => t(`training.inv.${key}`, params);

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
  const personNames = useNames('persons', personIds);
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
  const [draft, setDraft] = useState(() => listDraft(stored.invited, unitNames));
  const [errors, setErrors] = useState(NO_ERRORS);
  const [summary, setSummary] = useState(null);
  const [busy, setBusy] = useState(false);
  const venueId = training.venue ? training.venue.id : '';
  const preview = usePreview(listInput(draft), venueId);

  // Errors of the preview and of the last save, the preview's being the newer when both exist.
  const errOf = (section) => preview.errors.bySection[section] || errors.bySection[section] || '';
  const changed = JSON.stringify(listInput(draft)) !== JSON.stringify(listInput(listDraft(stored.invited, unitNames)));

  const save = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors(NO_ERRORS);
    setSummary(null);
    try {
      await api(`/api/staff/trainings/${encodeURIComponent(training.id)}`, { method: 'PATCH', body: { invited: listInput(draft), version: training.version } });
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

      <CriteriaEditor
        draft={draft}
        onChange={setDraft}
        errOf={errOf}
        powiaty={powiaty}
        unitNames={unitNames}
        distanceNote={
          training.venue ? (
            <p class="muted small">{tr('distanceFrom', { venue: training.venue.name })}</p>
          ) : (
            <p class="notice small" data-testid="distance-no-venue">
              {tr('distanceNoVenue')}
            </p>
          )
        }
      />

      <Preview preview={preview} />

      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : tr('save')}
        </button>
        <button type="button" class="btn" disabled={busy || !changed} onClick={() => setDraft(listDraft(stored.invited, unitNames))}>
          {tr('revert')}
        </button>
        {changed && <span class="muted small">{tr('unsaved')}</span>}
      </div>
    </form>
  );
}

/**
 * Debounced POST /api/staff/invited/preview of `input` (with the training's venue, for the
 * distance criterion). 422 field errors come back per editor section.
 */
function usePreview(input, venueId) {
  const body = JSON.stringify(input);
  const [state, setState] = useState({ data: null, error: null, errors: NO_ERRORS, loading: true });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api(withQuery('/api/staff/invited/preview', { venueId }), { method: 'POST', body: JSON.parse(body), signal: ctrl.signal, sideEffectFree: true }).then(
        (data) => setState({ data, error: null, errors: NO_ERRORS, loading: false }),
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
