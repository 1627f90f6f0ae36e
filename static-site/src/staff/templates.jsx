// Staff CRM: "Szablony e-maili" — the notification templates (one per kind): list with a
// "własny"/"domyślny" badge, editor (Temat, Treść tekstowa, Treść HTML), placeholders that
// insert `{{ name }}` at the cursor, a live preview with the samples (the HTML one in a
// sandboxed iframe), save with the version (409 = changed meanwhile), restore the default.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, useApi } from '../api.js';
import { msg, t } from '../i18n.js';
import { ErrorView, InlineError, Loading, toast } from '../ui.jsx';

export const TEMPLATE_KINDS = ['enrolled', 'waitlisted', 'promoted', 'cancelled', 'substituted', 'training_cancelled', 'reminder'];
const PARTS = ['subject', 'text', 'html'];
const PREVIEW_DELAY = 400;

export const kindLabel = (kind) => {
  const s = t(`templates.kinds.${kind}`);
  return s === `templates.kinds.${kind}` ? kind : s;
};

function KindBadge({ custom, ...rest }) {
  return (
    <span class={`badge ${custom ? 'badge-open' : ''}`} {...rest}>
      {custom ? t('templates.custom') : t('templates.default')}
    </span>
  );
}

/** `fields: [{field, pl, en}]` of a 400/422 → {subject|text|html: {pl, en}} plus the rest. */
function fieldErrors(err) {
  const out = {};
  const other = [];
  const fields = (err && err.body && Array.isArray(err.body.fields) && err.body.fields) || [];
  for (const f of fields) {
    const m = { pl: f.pl || f.message?.pl, en: f.en || f.message?.en };
    if (!m.pl && !m.en) m.pl = m.en = f.code || f.field;
    const key = String(f.field || '').split('.').pop();
    if (PARTS.includes(key) && !out[key]) out[key] = m;
    else other.push({ field: f.field, m });
  }
  return { fields: out, other };
}

export function TemplatesPage({ kind }) {
  const list = useApi('/api/staff/notification-templates');
  if (kind && !TEMPLATE_KINDS.includes(kind)) return <ErrorView error={new ApiError(404, null)} />;
  const views = Array.isArray(list.data) ? list.data : [];
  const byKind = new Map(views.map((v) => [v.kind, v]));
  const kinds = TEMPLATE_KINDS.filter((k) => byKind.has(k)).concat(views.map((v) => v.kind).filter((k) => !TEMPLATE_KINDS.includes(k)));
  const current = kind ? byKind.get(kind) : null;
  const replace = (view) => list.setData(views.map((v) => (v.kind === view.kind ? view : v)));
  return (
    <section class="page templates-page">
      <div class="page-head">
        <div>
          <h1>{t('templates.title')}</h1>
          <p class="subtitle">{t('templates.intro')}</p>
        </div>
      </div>
      {list.error && !list.data ? (
        <InlineError error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : (
        <div class="templates-layout">
          <nav class="card flush templates-kinds" aria-label={t('templates.listLabel')}>
            <ul>
              {kinds.map((k) => {
                const v = byKind.get(k);
                return (
                  <li key={k}>
                    <a href={`#/crm/templates/${k}`} class={k === kind ? 'active' : ''} aria-current={k === kind ? 'page' : undefined} data-testid={`template-kind-${k}`}>
                      <span class="templates-kind-label">{kindLabel(k)}</span>
                      <KindBadge custom={v.custom} />
                    </a>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div class="templates-main">
            {current ? <TemplateEditor key={`${current.kind}`} view={current} onChanged={replace} onReload={list.reload} /> : kind ? <Loading /> : <p class="note">{t('templates.choose')}</p>}
          </div>
        </div>
      )}
    </section>
  );
}

export function EditField({ part, label, multiline, value, error, inputRef, onInput, onFocus, rows }) {
  const id = useId();
  const Tag = multiline ? 'textarea' : 'input';
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <label for={id}>{label}</label>
      <Tag
        id={id}
        ref={inputRef}
        name={part}
        type={multiline ? undefined : 'text'}
        rows={multiline ? rows : undefined}
        class={multiline ? 'mono' : undefined}
        spellcheck={part === 'html' ? false : undefined}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onInput={onInput}
        onFocus={onFocus}
      />
      {error && (
        <p class="field-error" id={`${id}-err`} data-testid={`field-error-${part}`}>
          {error}
        </p>
      )}
    </div>
  );
}

function TemplateEditor({ view, onChanged, onReload }) {
  const [saved, setSaved] = useState(view);
  const [values, setValues] = useState({ ...view.template });
  const [errors, setErrors] = useState({});
  const [summary, setSummary] = useState(null); // {text, other?, stale?}
  const [preview, setPreview] = useState(view.preview);
  const [busy, setBusy] = useState(false);
  const label = kindLabel(view.kind);
  const dirty = PARTS.some((p) => values[p] !== saved.template[p]);

  const previewBody = (v) => ({ subject: v.subject, text: v.text, html: v.html });
  const live = useLivePreview('/api/staff/notification-templates/preview', previewBody(values), {
    onRendered: setPreview,
    fieldErrors,
    setErrors,
    setSummary,
    shownKey: JSON.stringify(previewBody(view.template)), // the view came with its preview
  });
  const previewState = live.state;

  const setPart = (part, value) => setValues((v) => ({ ...v, [part]: value }));
  const { refs, focus, focusedPart, insert } = usePlaceholderInsert(values, setPart);

  const applyView = (next) => {
    setSaved(next);
    setValues({ ...next.template });
    setPreview(next.preview);
    live.setState('ok');
    live.shown(previewBody(next.template)); // the preview came with the view
    setErrors({});
    setSummary(null);
    onChanged(next);
  };

  const onSave = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setSummary(null);
    try {
      const next = await api(`/api/staff/notification-templates/${encodeURIComponent(view.kind)}`, {
        method: 'PUT',
        body: { subject: values.subject, text: values.text, html: values.html, version: saved.version },
      });
      applyView(next);
      toast(t('templates.saved', { kind: label }));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 422 || err.status === 400)) {
        const fe = fieldErrors(err);
        setErrors(fe.fields);
        setSummary({ message: err.body.message, other: fe.other });
      } else if (err instanceof ApiError && err.status === 409) {
        setSummary({ text: t('templates.stale'), stale: true });
      } else if (!(err instanceof ApiError && err.status === 401)) {
        setSummary({ text: err instanceof ApiError ? msg(err.body && err.body.message) || t('error.generic', { status: err.status }) : String(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const onRestore = async () => {
    if (busy || !confirm(t('templates.restoreConfirm', { kind: label }))) return;
    setBusy(true);
    setSummary(null);
    try {
      const next = await api(`/api/staff/notification-templates/${encodeURIComponent(view.kind)}`, { method: 'DELETE' });
      applyView(next);
      toast(t('templates.restored', { kind: label }));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setSummary({ text: err instanceof ApiError ? msg(err.body && err.body.message) || t('error.generic', { status: err.status }) : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const onDiscard = () => {
    setValues({ ...saved.template });
  };

  return (
    <div class="templates-editor">
      <form class="card form" aria-label={t('templates.editorLabel')} onSubmit={onSave} noValidate>
        <div class="page-head">
          <h2 class="card-title" data-testid="template-title">
            {t('templates.editTitle', { kind: label })}
          </h2>
          <div class="toolbar">
            {dirty && <span class="badge badge-seg">{t('templates.unsaved')}</span>}
            <KindBadge custom={saved.custom} data-testid="template-badge" />
          </div>
        </div>
        {summary && (
          <div class="form-summary" role="alert" data-testid="form-error">
            <p>{summary.text || (summary.message ? msg(summary.message) : t('common.fixErrors'))}</p>
            {summary.other && summary.other.length > 0 && (
              <ul>
                {summary.other.map((o) => (
                  <li key={o.field}>
                    {o.field && <code>{o.field}</code>}
                    {o.field && ': '}
                    {msg(o.m)}
                  </li>
                ))}
              </ul>
            )}
            {summary.stale && (
              <button type="button" class="btn btn-small" onClick={onReload}>
                {t('templates.refresh')}
              </button>
            )}
          </div>
        )}
        <EditField part="subject" label={t('templates.subject')} value={values.subject} error={msg(errors.subject)} inputRef={refs.subject} onInput={(e) => setPart('subject', e.currentTarget.value)} onFocus={focus('subject')} />
        <EditField part="text" label={t('templates.text')} multiline rows={9} value={values.text} error={msg(errors.text)} inputRef={refs.text} onInput={(e) => setPart('text', e.currentTarget.value)} onFocus={focus('text')} />
        <EditField part="html" label={t('templates.html')} multiline rows={9} value={values.html} error={msg(errors.html)} inputRef={refs.html} onInput={(e) => setPart('html', e.currentTarget.value)} onFocus={focus('html')} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('templates.save')}
          </button>
          {dirty && (
            <button type="button" class="btn" onClick={onDiscard} disabled={busy}>
              {t('templates.discard')}
            </button>
          )}
          {saved.custom && (
            <button type="button" class="btn btn-warning" onClick={onRestore} disabled={busy}>
              {t('templates.restore')}
            </button>
          )}
        </div>
      </form>

      <aside class="templates-side">
        <PlaceholderList placeholders={saved.placeholders} focusedPart={focusedPart} onInsert={insert} />
      </aside>

      <MessagePreview message={preview} state={previewState} />
    </div>
  );
}

/* ---------- shared with the mailing editor and card ---------- */

/**
 * `{{ name }}` inserted at the cursor of the last focused part (subject, text or html):
 * `refs` go on the inputs, `focus(part)` on their onFocus.
 */
export function usePlaceholderInsert(values, setPart, parts = PARTS, initial = parts[0]) {
  // One ref per part; `parts` is fixed for a component, so the hooks run in the same order.
  const refs = Object.fromEntries(parts.map((part) => [part, useRef(null)]));
  const lastFocused = useRef(initial);
  const [focusedPart, setFocusedPart] = useState(initial);
  const focus = (part) => () => {
    lastFocused.current = part;
    setFocusedPart(part);
  };
  const insert = (name) => {
    const part = lastFocused.current;
    const el = refs[part].current;
    const token = `{{ ${name} }}`;
    const value = values[part] ?? '';
    const start = el && typeof el.selectionStart === 'number' ? el.selectionStart : value.length;
    const end = el && typeof el.selectionEnd === 'number' ? el.selectionEnd : start;
    setPart(part, value.slice(0, start) + token + value.slice(end));
    const caret = start + token.length;
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      try {
        el.setSelectionRange(caret, caret);
      } catch {
        /* not a text input */
      }
    });
  };
  return { refs, focus, focusedPart, insert };
}

/**
 * An editor's live preview: `body` is POSTed to `path` a moment after its last change (nothing
 * saved); an answer overtaken by a newer request is dropped. A rendering goes to `onRendered`
 * and clears the field errors; a 400/422 puts its errors at the fields (`fieldErrors` splits
 * them) and the rest in the summary; another failure goes to the summary. A "changed meanwhile"
 * summary (`stale`) stays. `shownKey`: the JSON of the body whose rendering is already on
 * screen (no request for it). Returns the state (ok | loading | invalid), its setter, and
 * `shown(body)`: a rendering of `body` came from elsewhere (a saved view) — the answer in
 * flight is dropped and that body is not requested again.
 */
export function useLivePreview(path, body, { onRendered, fieldErrors, setErrors, setSummary, shownKey = null, initialState = 'ok', delay = PREVIEW_DELAY }) {
  const [state, setState] = useState(initialState);
  const seq = useRef(0);
  const key = JSON.stringify(body);
  const shownFor = useRef(shownKey);
  useEffect(() => {
    if (key === shownFor.current) return undefined;
    const n = ++seq.current;
    const ctrl = new AbortController();
    setState('loading');
    const timer = setTimeout(() => {
      api(path, { method: 'POST', body: JSON.parse(key), signal: ctrl.signal, sideEffectFree: true }).then(
        (rendered) => {
          if (n !== seq.current) return;
          shownFor.current = key;
          onRendered(rendered);
          setState('ok');
          setErrors({});
          setSummary((s) => (s && s.stale ? s : null));
        },
        (err) => {
          if (n !== seq.current || err.name === 'AbortError') return;
          if (err instanceof ApiError && (err.status === 422 || err.status === 400)) {
            const fe = fieldErrors(err);
            setErrors(fe.fields);
            setSummary((s) => (s && s.stale ? s : fe.other.length ? { message: err.body.message, other: fe.other } : null));
            setState('invalid');
          } else {
            setState('ok');
            if (err.status !== 401) setSummary({ text: msg(err.body && err.body.message) || t('error.generic', { status: err.status }) });
          }
        },
      );
    }, delay);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [path, key]);
  const shown = (shownBody) => {
    seq.current++;
    shownFor.current = JSON.stringify(shownBody);
  };
  return { state, setState, shown };
}

/** The placeholders (name, description, sample) as buttons that insert them. */
export function PlaceholderList({ placeholders, focusedPart, onInsert }) {
  return (
    <section class="card" aria-labelledby="tpl-ph-title">
      <h2 class="card-title" id="tpl-ph-title">
        {t('templates.placeholders')}
      </h2>
      <p class="muted small">{t('templates.placeholdersHint', { field: t(`templates.${focusedPart}`) })}</p>
      <ul class="placeholders" data-testid="placeholders">
        {(placeholders || []).map((p) => (
          <li key={p.name}>
            <button type="button" class="btn btn-small placeholder-btn" title={t('templates.insert', { name: `{{ ${p.name} }}` })} onMouseDown={(e) => e.preventDefault()} onClick={() => onInsert(p.name)}>
              <code>{`{{ ${p.name} }}`}</code>
            </button>
            <span class="placeholder-desc">{p.description_pl}</span>
            <span class="muted small">{t('templates.sample', { sample: p.sample })}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * A rendered message `{subject, text, html}` (the HTML in a sandboxed iframe); `state` is
 * ok | loading | invalid; `hint` replaces the default "with sample data"; `children` go in the head.
 */
export function MessagePreview({ message, state = 'ok', hint, children, testid = 'template-preview' }) {
  const m = message || { subject: '', text: '', html: '' };
  return (
    <section class="card template-preview" aria-labelledby={`${testid}-title`} data-testid={testid} aria-busy={state === 'loading' ? 'true' : 'false'}>
      <div class="page-head">
        <h2 class="card-title" id={`${testid}-title`}>
          {t('templates.preview')}
        </h2>
        <span class="muted small" role="status">
          {state === 'loading' ? t('templates.previewUpdating') : state === 'invalid' ? t('templates.previewStale') : hint || t('templates.previewHint')}
        </span>
      </div>
      {children}
      <div class={state === 'invalid' ? 'preview-body is-stale' : 'preview-body'}>
        <h3 class="preview-label">{t('templates.previewSubject')}</h3>
        <p class="preview-subject" data-testid="preview-subject">
          {m.subject}
        </p>
        <h3 class="preview-label">{t('templates.previewText')}</h3>
        <pre class="preview-text" data-testid="preview-text">
          {m.text}
        </pre>
        <h3 class="preview-label">{t('templates.previewHtml')}</h3>
        <iframe class="preview-html" sandbox="" srcdoc={m.html} title={t('templates.previewHtmlTitle')} data-testid="preview-html" />
      </div>
    </section>
  );
}
