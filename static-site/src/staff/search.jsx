// Staff global search (header combobox: units and persons, debounced), a unit picker, a person
// picker, the removable chips of picked items, and the names of units/persons known by id.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, normalizePage, useApi } from '../api.js';
import { fullName } from '../format.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';

/** Debounced GET /api/staff/search?q= (≥ 2 characters). */
export function useSearch(q, delay = 250) {
  const [state, setState] = useState({ units: [], persons: [], loading: false, done: false });
  useEffect(() => {
    const query = q.trim();
    if (query.length < 2) {
      setState({ units: [], persons: [], loading: false, done: false });
      return undefined;
    }
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api('/api/staff/search', { query: { q: query }, signal: ctrl.signal }).then(
        (r) => setState({ units: (r && r.units) || [], persons: (r && r.persons) || [], loading: false, done: true }),
        (e) => {
          if (e.name !== 'AbortError') setState({ units: [], persons: [], loading: false, done: true });
        },
      );
    }, delay);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [q]);
  return state;
}

export function GlobalSearch() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const res = useSearch(q);
  const listId = useId();
  const inputId = useId();
  const box = useRef(null);

  const options = [
    ...res.units.map((u) => ({ id: `u-${u.id}`, href: `/crm/units/${encodeURIComponent(u.id)}`, group: 'units', item: u })),
    ...res.persons.map((p) => ({ id: `p-${p.id}`, href: `/crm/persons/${encodeURIComponent(p.id)}`, group: 'persons', item: p })),
  ];
  useEffect(() => setActive(0), [res.units, res.persons]);
  useEffect(() => {
    const onDoc = (e) => {
      if (box.current && !box.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, []);

  const choose = (o) => {
    setOpen(false);
    setQ('');
    navigate(o.href);
  };
  const onKeyDown = (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, options.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (options[active]) choose(options[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && q.trim().length >= 2;
  const optId = (o) => `${listId}-${o.id}`;
  let lastGroup = null;
  return (
    <div class="search" ref={box} role="search">
      <label for={inputId} class="visually-hidden">
        {t('search.label')}
      </label>
      <input
        id={inputId}
        type="search"
        role="combobox"
        autoComplete="off"
        spellcheck={false}
        placeholder={t('search.placeholder')}
        aria-expanded={showList ? 'true' : 'false'}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && options[active] ? optId(options[active]) : undefined}
        value={q}
        data-testid="global-search"
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <div class="search-results" data-testid="search-results">
          {res.loading && options.length === 0 && <p class="muted pad">{t('search.searching')}</p>}
          {!res.loading && res.done && options.length === 0 && <p class="muted pad">{t('search.none')}</p>}
          <ul id={listId} role="listbox" aria-label={t('search.label')}>
            {options.map((o, i) => {
              const header = o.group !== lastGroup ? t(`search.${o.group}`) : null;
              lastGroup = o.group;
              return [
                header && (
                  <li key={`h-${o.group}`} role="presentation" class="group">
                    {header}
                  </li>
                ),
                <li
                  key={o.id}
                  id={optId(o)}
                  role="option"
                  aria-selected={i === active ? 'true' : 'false'}
                  class={i === active ? 'active' : ''}
                  onMouseEnter={() => setActive(i)}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(o)}
                >
                  <strong>{o.item.label}</strong>
                  {o.item.detail && <span class="muted"> · {o.item.detail}</span>}
                  {o.item.inactive && <span class="muted"> ({t('person.left')})</span>}
                </li>,
              ];
            })}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Pick a unit by searching; `value` is {id, name} or null. */
export function UnitPicker({ label, value, onChange, error, excludeId }) {
  const [q, setQ] = useState('');
  const res = useSearch(q);
  const id = useId();
  const units = res.units.filter((u) => u.id !== excludeId);
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <label for={id}>{label}</label>
      {value ? (
        <div class="picked">
          <span data-testid="picked-unit">{value.name}</span>{' '}
          <button type="button" class="link-button" onClick={() => onChange(null)}>
            {t('picker.change')}
          </button>
        </div>
      ) : (
        <>
          <input id={id} type="search" autoComplete="off" placeholder={t('picker.placeholder')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          {q.trim().length >= 2 && (
            <ul class="picker-list" aria-label={label}>
              {units.map((u) => (
                <li key={u.id}>
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => {
                      onChange({ id: u.id, name: u.label });
                      setQ('');
                    }}
                  >
                    {u.label} {u.detail && <span class="muted">· {u.detail}</span>}
                  </button>
                </li>
              ))}
              {res.done && !res.loading && units.length === 0 && <li class="muted">{t('search.none')}</li>}
            </ul>
          )}
        </>
      )}
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

/* ---------- person picker (search) ---------- */

/** Pick persons by searching; calls `onPick({id, label, detail})`. */
export function PersonSearch({ label, onPick, excludeIds = [], testid }) {
  const [q, setQ] = useState('');
  const res = useSearch(q);
  const persons = res.persons.filter((p) => !excludeIds.includes(p.id) && !p.inactive);
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="search" autoComplete="off" placeholder={t('training.searchPerson')} value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid={testid} />
      {q.trim().length >= 2 && (
        <ul class="picker-list" aria-label={label}>
          {persons.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  onPick(p);
                  setQ('');
                }}
              >
                {p.label} {p.detail && <span class="muted">· {p.detail}</span>}
              </button>
            </li>
          ))}
          {res.done && !res.loading && persons.length === 0 && <li class="muted">{t('search.none')}</li>}
        </ul>
      )}
    </div>
  );
}

export function Picked({ items, onRemove, empty }) {
  if (!items.length) return <p class="muted small">{empty}</p>;
  return (
    <ul class="chips picked-chips">
      {items.map((x) => (
        <li key={x.id}>
          {x.label}{' '}
          <button type="button" class="link-button" aria-label={`${t('training.remove')}: ${x.label}`} onClick={() => onRemove(x.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/* ---------- names of ids ---------- */

const NAME_OF = {
  units: (u) => u.name,
  persons: (p) => fullName(p),
};

/**
 * Names of the given units or persons (`kind`: 'units' | 'persons'), for lists that hold only
 * ids (invited lists, visibility, audiences): `{id: name}`, the id itself when it cannot be read.
 */
export function useNames(kind, ids) {
  const [names, setNames] = useState({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    Promise.all(
      ids.map((id) =>
        api(`/api/staff/${kind}/${encodeURIComponent(id)}`).then(
          (x) => [id, NAME_OF[kind](x) || id],
          () => [id, id],
        ),
      ),
    ).then((pairs) => live && setNames(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [kind, key]);
  return names;
}

/** The powiaty of the region: `[{teryt, name}]` (empty while loading). */
export function usePowiaty() {
  const r = useApi('/api/staff/powiaty');
  return r.data ? normalizePage(r.data).items : [];
}
