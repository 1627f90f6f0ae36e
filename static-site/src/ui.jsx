// Shared UI pieces: form fields with inline errors, the form-state hook that maps API
// validation/duplicate errors onto fields, toasts, tabs, error pages, paging.
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { msg, t } from './i18n.js';
import { fullName } from './format.js';

/* ---------- toasts ---------- */

let toastSeq = 0;
let toasts = [];
const toastListeners = new Set();
function emitToasts() {
  toastListeners.forEach((fn) => fn(toasts));
}
export function toast(text, kind = 'success') {
  const id = ++toastSeq;
  toasts = [...toasts, { id, text, kind }].slice(-4);
  emitToasts();
  setTimeout(() => dismissToast(id), kind === 'error' ? 9000 : 4500);
}
export function clearToasts() {
  toasts = [];
  emitToasts();
}
function dismissToast(id) {
  toasts = toasts.filter((x) => x.id !== id);
  emitToasts();
}
export function Toasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => toastListeners.delete(setList);
  }, []);
  return (
    <div class="toasts" aria-live="polite" aria-label={t('common.notifications')}>
      {list.map((x) => (
        <div key={x.id} class={`toast toast-${x.kind}`} role={x.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
          <span>{x.text}</span>
          <button type="button" class="toast-close" aria-label={t('common.close')} onClick={() => dismissToast(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** A readable message for any error thrown by api(). */
export function errorText(err) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
  if (err.status === 0) return t('error.network');
  if (err.body && err.body.message) return msg(err.body.message);
  if (err.status === 403) return t('error.forbiddenText');
  if (err.status === 404) return t('error.notFoundText');
  if (err.status === 409) return t('error.conflict');
  return t('error.generic', { status: err.status });
}

/* ---------- form state ---------- */

function fieldKeyFor(serverField, known) {
  if (!serverField) return null;
  if (known.includes(serverField)) return serverField;
  const last = serverField.split(/[.[\]/]+/).filter(Boolean).pop();
  if (last && known.includes(last)) return last;
  const lower = serverField.toLowerCase().replace(/[^a-z0-9]/g, '');
  return known.find((k) => k.toLowerCase() === lower) || null;
}

function errorMessage(e) {
  if (!e) return '';
  if (e.key) return t(e.key);
  return msg(e);
}

/**
 * Form state with inline errors. `fields` are the names the form renders; server errors on
 * other fields are listed in the form's summary instead.
 */
export function useForm(initial, fields = Object.keys(initial)) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [summary, setSummary] = useState(null);
  const [duplicates, setDuplicates] = useState(null);
  const [busy, setBusy] = useState(false);

  const set = (name, value) => setValues((v) => ({ ...v, [name]: value }));
  const bind = (name) => ({
    name,
    value: values[name] ?? '',
    onInput: (e) => set(name, e.currentTarget.value),
    error: errorMessage(errors[name]),
  });
  const clear = () => {
    setErrors({});
    setSummary(null);
    setDuplicates(null);
  };
  const reset = (next = initial) => {
    setValues(next);
    clear();
  };

  /** Show an API error on the form; returns true when it was shown inline. */
  const fail = (err) => {
    if (!(err instanceof ApiError)) {
      setSummary({ text: String(err && err.message) });
      return false;
    }
    const body = err.body || {};
    if (err.status === 409 && Array.isArray(body.duplicates) && body.duplicates.length && body.duplicates.every((d) => d.personId)) {
      setDuplicates(body.duplicates);
      setSummary(null);
      return true;
    }
    if ((err.status === 400 || err.status === 422) && Array.isArray(body.fields) && body.fields.length) {
      const fe = {};
      const other = [];
      for (const f of body.fields) {
        const key = fieldKeyFor(f.field, fields);
        const m = { pl: f.pl || f.message?.pl, en: f.en || f.message?.en };
        if (!m.pl && !m.en) m.pl = m.en = f.code || f.field;
        if (key && !fe[key]) fe[key] = m;
        else other.push({ field: f.field, m });
      }
      setErrors(fe);
      setSummary({ message: body.message, other });
      return true;
    }
    if (err.status === 409) {
      setSummary({ text: body.message ? msg(body.message) : t('error.conflict') });
      return true;
    }
    if (err.status === 401) return true;
    setSummary({ text: errorText(err) });
    return false;
  };

  /** Wrap a submit handler: client checks, busy flag, error display. */
  const submit = (fn, validate) => async (e) => {
    if (e && e.preventDefault) e.preventDefault();
    if (busy) return;
    clear();
    if (validate) {
      const fe = validate(values) || {};
      if (Object.keys(fe).length) {
        setErrors(fe);
        setSummary({ text: t('common.fixErrors') });
        return;
      }
    }
    setBusy(true);
    try {
      await fn(values);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return { values, set, setValues, bind, errors, setErrors, summary, duplicates, setDuplicates, busy, reset, clear, fail, submit };
}

/** Common client-side checks; `required` lists field names. */
export function checkFields(values, { required = [], emails = [] } = {}) {
  const fe = {};
  for (const f of required) if (!String(values[f] ?? '').trim()) fe[f] = { key: 'common.required' };
  for (const f of emails) {
    const v = String(values[f] ?? '').trim();
    if (v && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) fe[f] = { key: 'common.invalidEmail' };
  }
  return fe;
}

export function FormSummary({ form }) {
  const s = form.summary;
  if (!s) return null;
  return (
    <div class="form-summary" role="alert" data-testid="form-error">
      <p>{s.text || (s.message ? msg(s.message) : t('common.fixErrors'))}</p>
      {s.other && s.other.length > 0 && (
        <ul>
          {s.other.map((o) => (
            <li key={o.field}>
              <code>{o.field}</code>: {msg(o.m)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/* ---------- fields ---------- */

function FieldShell({ id, label, error, hint, required, children, className }) {
  return (
    <div class={`field ${error ? 'has-error' : ''} ${className || ''}`}>
      <label for={id}>
        {label}
        {required && <span class="req" aria-hidden="true"> *</span>}
      </label>
      {children}
      {hint && !error && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-err`} data-testid="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function TextField({ label, error, hint, required, className, type = 'text', ...rest }) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} required={required} className={className}>
      <input
        id={id}
        type={type}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-err` : hint ? `${id}-hint` : undefined}
        {...rest}
      />
    </FieldShell>
  );
}

export function TextArea({ label, error, hint, required, className, ...rest }) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} required={required} className={className}>
      <textarea id={id} rows={4} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-err` : undefined} {...rest} />
    </FieldShell>
  );
}

export function SelectField({ label, error, hint, required, className, options, onInput, ...rest }) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} required={required} className={className}>
      <select id={id} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-err` : undefined} onChange={onInput} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function Checkbox({ label, checked, onChange, ...rest }) {
  const id = useId();
  return (
    <div class="checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} {...rest} />
      <label for={id}>{label}</label>
    </div>
  );
}

/* ---------- layout bits ---------- */

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** Full-page error: "Brak dostępu" / "Nie znaleziono" / generic. */
export function ErrorView({ error }) {
  const status = error instanceof ApiError ? error.status : 0;
  const forbidden = status === 403;
  const notFound = status === 404;
  const title = forbidden ? t('error.forbidden') : notFound ? t('error.notFound') : t('error.title');
  const text = forbidden ? t('error.forbiddenText') : notFound ? t('error.notFoundText') : errorText(error);
  return (
    <section class={`error-page ${forbidden ? 'is-forbidden' : notFound ? 'is-not-found' : ''}`} data-testid="error-page">
      <h1>{title}</h1>
      <p>{text}</p>
      {error && error.body && error.body.message && (forbidden || notFound) && <p class="muted">{msg(error.body.message)}</p>}
      <p>
        <a href="#/">{t('common.home')}</a>
      </p>
    </section>
  );
}

export function InlineError({ error, onRetry }) {
  return (
    <div class="inline-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function MoreButton({ list }) {
  if (!list.next) return null;
  return (
    <div class="more">
      <button type="button" class="btn" onClick={list.loadMore} disabled={list.loadingMore}>
        {list.loadingMore ? t('common.loading') : t('common.more')}
      </button>
    </div>
  );
}

export function Tabs({ tabs, active, onChange, label }) {
  const onKey = (e) => {
    const i = tabs.findIndex((x) => x.id === active);
    let j = null;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    if (j !== null) {
      e.preventDefault();
      onChange(tabs[j].id);
      const el = e.currentTarget.querySelectorAll('[role=tab]')[j];
      if (el) el.focus();
    }
  };
  return (
    <div class="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((x) => (
        <button
          key={x.id}
          type="button"
          role="tab"
          id={`tab-${x.id}`}
          aria-selected={x.id === active ? 'true' : 'false'}
          aria-controls={`panel-${x.id}`}
          tabIndex={x.id === active ? 0 : -1}
          class={x.id === active ? 'active' : ''}
          onClick={() => onChange(x.id)}
        >
          {x.label}
        </button>
      ))}
    </div>
  );
}

/** A section's sub-navigation: `items` are `[id, path, label]`, `active` the current id. */
export function SubNav({ label, items, active, testid }) {
  return (
    <nav class="sub-nav" aria-label={label} data-testid={testid}>
      {items.map(([id, to, text]) => (
        <a key={id} href={`#${to}`} class={id === active ? 'active' : ''} aria-current={id === active ? 'page' : undefined}>
          {text}
        </a>
      ))}
    </nav>
  );
}

export function TabPanel({ id, children }) {
  return (
    <div class="tab-panel" role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`}>
      {children}
    </div>
  );
}

/** A definition list of [label, value, testid?] rows; empty values show a dash. */
export function DataList({ rows }) {
  return (
    <dl class="data-list">
      {rows.map(([label, value, testid]) => (
        <div class="row" key={label}>
          <dt>{label}</dt>
          <dd data-testid={testid}>{value === undefined || value === null || value === '' ? <span class="muted">{t('common.none')}</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * 409 duplicate notice: links to the existing person(s); "Zapisz mimo to" only when every
 * duplicate is by name (an e-mail duplicate cannot be overridden).
 */
export function DuplicateNotice({ duplicates, personHref, onConfirm, busy }) {
  if (!duplicates || !duplicates.length) return null;
  const byEmail = duplicates.filter((d) => d.kind === 'email');
  const byName = duplicates.filter((d) => d.kind !== 'email');
  const item = (d) => (
    <li key={`${d.kind}-${d.personId}`}>
      <a href={personHref(d.personId)}>{fullName(d) || d.personId}</a>
      {d.unitName && <span class="muted"> — {d.unitName}</span>}
    </li>
  );
  return (
    <div class="duplicates" role="alert" data-testid="duplicates">
      <h3>{t('dup.title')}</h3>
      {byEmail.length > 0 && (
        <>
          <p>{t('dup.email')}</p>
          <ul>{byEmail.map(item)}</ul>
          <p class="muted">{t('dup.emailHint')}</p>
        </>
      )}
      {byName.length > 0 && (
        <>
          <p>{t('dup.name')}</p>
          <ul>{byName.map(item)}</ul>
        </>
      )}
      {byEmail.length === 0 && (
        <p>
          <span class="muted">{t('dup.nameHint')} </span>
          <button type="button" class="btn btn-warning" onClick={onConfirm} disabled={busy}>
            {t('dup.saveAnyway')}
          </button>
        </p>
      )}
    </div>
  );
}

/** Buttons row at the bottom of a form. */
export function FormActions({ busy, submitLabel, onCancel }) {
  return (
    <div class="form-actions">
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t('common.saving') : submitLabel || t('common.save')}
      </button>
      {onCancel && (
        <button type="button" class="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
      )}
    </div>
  );
}
