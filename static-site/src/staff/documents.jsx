// Staff CRM: "Szablony dokumentów" (`#/crm/document-templates/:kind?trainingKind=`) — the
// document templates (letter, contract, settlement statement, certificate default and one
// certificate slot per training kind): editor (title, body markup), placeholders that insert
// `{{ name }}` at the cursor, a live PDF preview (`POST …/preview` → base64 PDF → blob URL in an
// iframe), save with the version (422 under the field, 409 = changed meanwhile), restore the
// default. And the generated documents: the list with 5-minute download links, "Nowa umowa"
// and "Nowe pismo" on the unit card, "Nowe pismo" on the person card, "Zestawienie (PDF)" on a
// settlement's card.
import { useEffect, useId, useState } from 'preact/hooks';
import { api, ApiError, normalizePage, useApi, usePaged, withQuery } from '../api.js';
import { fmtDateTime, todayWarsaw } from '../format.js';
import { msg, t } from '../i18n.js';
import { href } from '../router.js';
import { ErrorView, FormActions, FormSummary, InlineError, Loading, MoreButton, SelectField, TextArea, TextField, checkFields, toast, useForm } from '../ui.jsx';
import { useLivePreview, usePlaceholderInsert } from './templates.jsx';

const PARTS = ['title', 'body'];
const PREVIEW_DELAY = 600;

const slotKey = (v) => (v.trainingKind ? `${v.kind}:${v.trainingKind}` : v.kind);

export const docKindLabel = (kind) => {
  const s = t(`documents.kinds.${kind}`);
  return s === `documents.kinds.${kind}` ? kind : s;
};

function slotLabel(v) {
  if (v.kind !== 'certificate') return docKindLabel(v.kind);
  return v.trainingKind ? t('documents.certificateFor', { kind: v.trainingKindName || v.trainingKind }) : t('documents.certificateDefault');
}

const slotHref = (v) => (v.trainingKind ? href(`/crm/document-templates/${v.kind}`, { trainingKind: v.trainingKind }) : `#/crm/document-templates/${v.kind}`);

function Badge({ custom, ...rest }) {
  return (
    <span class={`badge ${custom ? 'badge-open' : ''}`} {...rest}>
      {custom ? t('documents.custom') : t('documents.default')}
    </span>
  );
}

/** 400/422 `fields` → {title|body: message} plus the rest (kind, trainingKind, version). */
function fieldErrors(err) {
  const out = {};
  const other = [];
  for (const f of (err && err.body && Array.isArray(err.body.fields) && err.body.fields) || []) {
    const m = { pl: f.pl || f.code, en: f.en || f.code };
    if (PARTS.includes(f.field) && !out[f.field]) out[f.field] = m;
    else other.push({ field: f.field, m });
  }
  return { fields: out, other };
}

function base64ToBlobUrl(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
}

export function DocumentTemplatesPage({ kind, query }) {
  const list = useApi('/api/staff/document-templates');
  const trainingKind = (query && query.get('trainingKind')) || '';
  const views = Array.isArray(list.data) ? list.data : [];
  const wanted = kind ? (trainingKind ? `${kind}:${trainingKind}` : kind) : null;
  const current = wanted ? views.find((v) => slotKey(v) === wanted) : null;
  if (list.data && wanted && !current) return <ErrorView error={new ApiError(404, null)} />;
  const replace = (view) => list.setData(views.map((v) => (slotKey(v) === slotKey(view) ? view : v)));
  return (
    <section class="page templates-page" data-testid="document-templates">
      <div class="page-head">
        <div>
          <h1>{t('documents.title')}</h1>
          <p class="subtitle">{t('documents.intro')}</p>
        </div>
      </div>
      {list.error && !list.data ? (
        <InlineError error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : (
        <div class="templates-layout">
          <nav class="card flush templates-kinds" aria-label={t('documents.listLabel')}>
            <ul>
              {views.map((v) => (
                <li key={slotKey(v)}>
                  <a href={slotHref(v)} class={slotKey(v) === wanted ? 'active' : ''} aria-current={slotKey(v) === wanted ? 'page' : undefined} data-testid={`doc-template-${slotKey(v)}`}>
                    <span class="templates-kind-label">{slotLabel(v)}</span>
                    <Badge custom={v.custom} />
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="templates-main">{current ? <DocumentTemplateEditor key={slotKey(current)} view={current} onChanged={replace} onReload={list.reload} /> : <p class="note">{t('documents.choose')}</p>}</div>
        </div>
      )}
    </section>
  );
}

function DocumentTemplateEditor({ view, onChanged, onReload }) {
  const [saved, setSaved] = useState(view);
  const [values, setValues] = useState({ title: view.template.title, body: view.template.body });
  const [errors, setErrors] = useState({});
  const [summary, setSummary] = useState(null); // {text | message, other?, stale?}
  const [pdf, setPdf] = useState(null); // {url, size}
  const [busy, setBusy] = useState(false);
  const label = slotLabel(view);
  const dirty = PARTS.some((p) => values[p] !== saved.template[p]);
  const query = view.trainingKind ? { trainingKind: view.trainingKind } : undefined;

  // The live preview of the PDF (nothing on screen yet: the first one is requested at once).
  const previewBody = { kind: view.kind, title: values.title, body: values.body, ...(view.trainingKind ? { trainingKind: view.trainingKind } : {}) };
  const live = useLivePreview('/api/staff/document-templates/preview', previewBody, {
    onRendered: (rendered) => setPdf({ url: base64ToBlobUrl(rendered.pdfBase64), size: rendered.sizeBytes }),
    fieldErrors,
    setErrors,
    setSummary,
    initialState: 'loading',
    delay: PREVIEW_DELAY, // a PDF costs more to render than an e-mail
  });
  const previewState = live.state;
  // The previous PDF's blob URL is released when a new one replaces it (and on leaving).
  useEffect(() => () => pdf && URL.revokeObjectURL(pdf.url), [pdf]);

  const setPart = (part, value) => setValues((v) => ({ ...v, [part]: value }));
  const { refs, focus, focusedPart, insert } = usePlaceholderInsert(values, setPart, PARTS, 'body');

  const applyView = (next) => {
    setSaved(next);
    setValues({ title: next.template.title, body: next.template.body });
    setErrors({});
    setSummary(null);
    onChanged(next);
  };
  const failed = (err) => {
    if (err instanceof ApiError && (err.status === 422 || err.status === 400)) {
      const fe = fieldErrors(err);
      setErrors(fe.fields);
      setSummary({ message: err.body.message, other: fe.other });
    } else if (err instanceof ApiError && err.status === 409) {
      setSummary({ text: t('documents.stale'), stale: true });
    } else if (!(err instanceof ApiError && err.status === 401)) {
      setSummary({ text: err instanceof ApiError ? msg(err.body && err.body.message) || t('error.generic', { status: err.status }) : String(err) });
    }
  };
  const onSave = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setSummary(null);
    try {
      const next = await api(`/api/staff/document-templates/${encodeURIComponent(view.kind)}`, { method: 'PUT', query, body: { title: values.title, body: values.body, version: saved.version } });
      applyView(next);
      toast(t('documents.saved', { kind: label }));
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };
  const onRestore = async () => {
    if (busy || !confirm(t('documents.restoreConfirm', { kind: label }))) return;
    setBusy(true);
    setSummary(null);
    try {
      applyView(await api(`/api/staff/document-templates/${encodeURIComponent(view.kind)}`, { method: 'DELETE', query }));
      toast(t('documents.restored', { kind: label }));
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="templates-editor doc-templates-editor">
      <form class="card form" aria-label={t('documents.editorLabel')} onSubmit={onSave} noValidate>
        <div class="page-head">
          <h2 class="card-title" data-testid="doc-template-title">
            {t('documents.editTitle', { kind: label })}
          </h2>
          <div class="toolbar">
            {dirty && <span class="badge badge-seg">{t('documents.unsaved')}</span>}
            <Badge custom={saved.custom} data-testid="doc-template-badge" />
          </div>
        </div>
        {saved.updatedAt && <p class="muted small">{t('documents.updated', { at: fmtDateTime(saved.updatedAt), by: (saved.updatedBy && saved.updatedBy.name) || '' })}</p>}
        {view.trainingKind && !saved.custom && <p class="note">{t('documents.fallsBack')}</p>}
        {summary && (
          <div class="form-summary" role="alert" data-testid="form-error">
            <p>{summary.text || (summary.message ? msg(summary.message) : t('common.fixErrors'))}</p>
            {summary.other && summary.other.length > 0 && (
              <ul>
                {summary.other.map((o) => (
                  <li key={o.field}>
                    <code>{o.field}</code>: {msg(o.m)}
                  </li>
                ))}
              </ul>
            )}
            {summary.stale && (
              <button type="button" class="btn btn-small" onClick={onReload}>
                {t('documents.refresh')}
              </button>
            )}
          </div>
        )}
        <PartField part="title" label={t('documents.docTitle')} value={values.title} error={msg(errors.title)} inputRef={refs.title} onInput={(e) => setPart('title', e.currentTarget.value)} onFocus={focus('title')} />
        <PartField part="body" label={t('documents.body')} multiline rows={22} value={values.body} error={msg(errors.body)} inputRef={refs.body} onInput={(e) => setPart('body', e.currentTarget.value)} onFocus={focus('body')} hint={t('documents.markupHint')} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('documents.save')}
          </button>
          {dirty && (
            <button type="button" class="btn" onClick={() => setValues({ title: saved.template.title, body: saved.template.body })} disabled={busy}>
              {t('documents.discard')}
            </button>
          )}
          {saved.custom && (
            <button type="button" class="btn btn-warning" onClick={onRestore} disabled={busy}>
              {t('documents.restore')}
            </button>
          )}
        </div>
      </form>

      <aside class="templates-side">
        <section class="card" aria-labelledby="doc-ph-title">
          <h2 class="card-title" id="doc-ph-title">
            {t('documents.placeholders')}
          </h2>
          <p class="muted small">{t('documents.placeholdersHint', { field: focusedPart === 'title' ? t('documents.docTitle') : t('documents.body') })}</p>
          <ul class="placeholders" data-testid="doc-placeholders">
            {(saved.placeholders || []).map((p) => (
              <li key={p.name}>
                <button type="button" class="btn btn-small placeholder-btn" title={t('documents.insert', { name: `{{ ${p.name} }}` })} onMouseDown={(e) => e.preventDefault()} onClick={() => insert(p.name)}>
                  <code>{`{{ ${p.name} }}`}</code>
                </button>
                <span class="placeholder-desc">{p.description_pl}</span>
                <span class="muted small">{t('documents.sample', { sample: p.sample })}</span>
              </li>
            ))}
          </ul>
        </section>
      </aside>

      <section class="card template-preview" aria-labelledby="doc-preview-title" data-testid="doc-preview" data-state={previewState} aria-busy={previewState === 'loading' ? 'true' : 'false'}>
        <div class="page-head">
          <h2 class="card-title" id="doc-preview-title">
            {t('documents.preview')}
          </h2>
          <span class="muted small" role="status">
            {previewState === 'loading' ? t('documents.previewUpdating') : previewState === 'invalid' ? t('documents.previewStale') : t('documents.previewHint')}
            {pdf && previewState === 'ok' && ` · ${t('documents.previewSize', { size: Math.ceil(pdf.size / 1024) })}`}
          </span>
        </div>
        <div class={previewState === 'invalid' ? 'doc-preview-body is-stale' : 'doc-preview-body'}>{pdf && <iframe class="preview-pdf" src={pdf.url} title={t('documents.previewFrame')} data-testid="doc-preview-frame" />}</div>
      </section>
    </div>
  );
}

function PartField({ part, label, multiline, value, error, inputRef, onInput, onFocus, rows, hint }) {
  const id = useId();
  const Tag = multiline ? 'textarea' : 'input';
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <label for={id}>{label}</label>
      <Tag id={id} ref={inputRef} name={part} type={multiline ? undefined : 'text'} rows={multiline ? rows : undefined} class={multiline ? 'mono' : undefined} spellcheck={false} value={value} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-err` : hint ? `${id}-hint` : undefined} onInput={onInput} onFocus={onFocus} />
      {hint && !error && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-err`} data-testid={`field-error-${part}`}>
          {error}
        </p>
      )}
    </div>
  );
}

/* ---------- generated documents ---------- */

const newToken = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2, 12)}`);

/** Fetches a 5-minute link and lets the browser download the PDF. */
export async function downloadDocument(id) {
  const link = await api(`/api/staff/documents/${encodeURIComponent(id)}/download`);
  window.location.assign(link.url);
  return link;
}

function DownloadButton({ doc }) {
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    setBusy(true);
    try {
      await downloadDocument(doc.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) toast(msg(err.body && err.body.message) || t('error.generic', { status: err.status }), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="btn btn-small" onClick={onClick} disabled={busy} data-testid="document-download">
      {busy ? t('documents.downloading') : t('documents.download')}
    </button>
  );
}

export function DocumentsList({ list }) {
  if (list.loading && !list.items.length) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('documents.empty')}</p>;
  return (
    <>
      <table class="table" data-testid="documents-table">
        <thead>
          <tr>
            <th>{t('documents.colTitle')}</th>
            <th>{t('documents.colKind')}</th>
            <th>{t('documents.colNumber')}</th>
            <th>{t('documents.colCreated')}</th>
            <th>{t('documents.colBy')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.items.map((d) => (
            <tr key={d.id} data-testid="document-row">
              <td>{d.title}</td>
              <td>{docKindLabel(d.kind)}</td>
              <td>{d.number || ''}</td>
              <td>{fmtDateTime(d.createdAt)}</td>
              <td>{d.createdBy && d.createdBy.name}</td>
              <td>
                <DownloadButton doc={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreButton list={list} />
    </>
  );
}

/** "Nowa umowa": one of the unit's long-term contracts, who represents the unit, the date. */
function ContractDocumentForm({ unit, onDone, onCancel }) {
  const contracts = useApi(withQuery('/api/staff/contracts', { unitId: unit.id }));
  const [token] = useState(newToken);
  const form = useForm({ contractId: '', representedBy: '', signedOn: todayWarsaw() }, ['contractId', 'representedBy', 'signedOn', 'clientToken']);
  const items = contracts.data ? normalizePage(contracts.data).items : [];
  const onSubmit = form.submit(
    async (v) => {
      const body = { contractId: v.contractId, clientToken: token, signedOn: v.signedOn };
      if (v.representedBy.trim()) body.representedBy = v.representedBy.trim();
      const made = await api(`/api/staff/units/${encodeURIComponent(unit.id)}/documents/contract`, { method: 'POST', body });
      toast(t('documents.created', { title: made.document.title }));
      onDone(made.document);
    },
    (v) => checkFields(v, { required: ['contractId', 'signedOn'] }),
  );
  return (
    <form class="card form" aria-label={t('documents.contractTitle')} onSubmit={onSubmit} noValidate data-testid="contract-document-form">
      <h3 class="card-title">{t('documents.contractTitle')}</h3>
      <p class="muted small">{t('documents.contractIntro')}</p>
      <FormSummary form={form} />
      {contracts.loading ? (
        <Loading />
      ) : contracts.error ? (
        <InlineError error={contracts.error} onRetry={contracts.reload} />
      ) : items.length === 0 ? (
        <p class="note">{t('documents.noContracts')}</p>
      ) : (
        <>
          <div class="grid-2">
            <SelectField label={t('documents.contract')} required {...form.bind('contractId')} options={[{ value: '', label: t('documents.chooseContract') }, ...items.map((c) => ({ value: c.id, label: `${c.subject} (${c.start}${c.end ? ` – ${c.end}` : ''})` }))]} />
            <TextField label={t('documents.signedOn')} type="date" required {...form.bind('signedOn')} />
          </div>
          <TextField label={t('documents.representedBy')} hint={t('documents.representedByHint')} {...form.bind('representedBy')} />
        </>
      )}
      <FormActions busy={form.busy} submitLabel={form.busy ? t('documents.generating') : t('documents.generate')} onCancel={onCancel} />
    </form>
  );
}

/** "Nowe pismo" to a unit or a person: subject and text merged into the letter template. */
function LetterForm({ path, recipient, onDone, onCancel }) {
  const [token] = useState(newToken);
  const form = useForm({ subject: '', body: '', reference: '', date: todayWarsaw(), signatory: '', signatoryRole: '' }, ['subject', 'body', 'reference', 'date', 'signatory', 'signatoryRole', 'clientToken']);
  const onSubmit = form.submit(
    async (v) => {
      const body = { subject: v.subject.trim(), body: v.body, clientToken: token };
      for (const k of ['reference', 'date', 'signatory', 'signatoryRole']) if (v[k].trim()) body[k] = v[k].trim();
      const made = await api(path, { method: 'POST', body });
      toast(t('documents.created', { title: made.document.title }));
      onDone(made.document);
    },
    (v) => checkFields(v, { required: ['subject', 'body'] }),
  );
  return (
    <form class="card form" aria-label={t('documents.letterTitle')} onSubmit={onSubmit} noValidate data-testid="letter-form">
      <h3 class="card-title">{t('documents.letterTitle')}</h3>
      <p class="muted small">{t('documents.letterTo', { name: recipient })}</p>
      <FormSummary form={form} />
      <TextField label={t('documents.subject')} required {...form.bind('subject')} />
      <TextArea label={t('documents.letterBody')} hint={t('documents.letterBodyHint')} required rows={8} {...form.bind('body')} />
      <div class="grid-2">
        <TextField label={t('documents.reference')} {...form.bind('reference')} />
        <TextField label={t('documents.date')} type="date" {...form.bind('date')} />
        <TextField label={t('documents.signatory')} hint={t('documents.signatoryHint')} {...form.bind('signatory')} />
        <TextField label={t('documents.signatoryRole')} {...form.bind('signatoryRole')} />
      </div>
      <FormActions busy={form.busy} submitLabel={form.busy ? t('documents.generating') : t('documents.generate')} onCancel={onCancel} />
    </form>
  );
}

/** The unit card's "Dokumenty" tab. */
export function UnitDocumentsTab({ unit }) {
  const base = `/api/staff/units/${encodeURIComponent(unit.id)}`;
  const list = usePaged(`${base}/documents`);
  const [mode, setMode] = useState(null); // contract | letter
  const done = () => {
    setMode(null);
    list.reload();
  };
  return (
    <div class="stack" data-testid="unit-documents">
      <div class="toolbar">
        <button type="button" class="btn" onClick={() => setMode('contract')} disabled={mode !== null} data-testid="new-contract-document">
          {t('documents.newContract')}
        </button>
        <button type="button" class="btn" onClick={() => setMode('letter')} disabled={mode !== null} data-testid="new-letter">
          {t('documents.newLetter')}
        </button>
      </div>
      {mode === 'contract' && <ContractDocumentForm unit={unit} onDone={done} onCancel={() => setMode(null)} />}
      {mode === 'letter' && <LetterForm path={`${base}/documents/letter`} recipient={unit.name} onDone={done} onCancel={() => setMode(null)} />}
      <section class="card" aria-labelledby="unit-documents-title">
        <h2 class="card-title" id="unit-documents-title">
          {t('documents.listTitle')}
        </h2>
        <DocumentsList list={list} />
      </section>
    </div>
  );
}

/** The person card's "Dokumenty" tab: "Nowe pismo" and the person's documents. */
export function PersonDocumentsTab({ person, name }) {
  const base = `/api/staff/persons/${encodeURIComponent(person.id)}`;
  const list = usePaged(`${base}/documents`);
  const [writing, setWriting] = useState(false);
  return (
    <div class="stack" data-testid="person-documents">
      <div class="toolbar">
        <button type="button" class="btn" onClick={() => setWriting(true)} disabled={writing} data-testid="new-letter">
          {t('documents.newLetter')}
        </button>
      </div>
      {writing && (
        <LetterForm
          path={`${base}/documents/letter`}
          recipient={name}
          onDone={() => {
            setWriting(false);
            list.reload();
          }}
          onCancel={() => setWriting(false)}
        />
      )}
      <section class="card" aria-labelledby="person-documents-title">
        <h2 class="card-title" id="person-documents-title">
          {t('documents.listTitle')}
        </h2>
        <DocumentsList list={list} />
      </section>
    </div>
  );
}

/** "Zestawienie (PDF)" on a settlement's card: makes the statement and downloads it. */
export function StatementButton({ settlement }) {
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState(newToken);
  if (!settlement.number) return <p class="muted small">{t('documents.statementDraft')}</p>;
  const onClick = async () => {
    setBusy(true);
    try {
      const made = await api(`/api/staff/settlements/${encodeURIComponent(settlement.id)}/documents/statement`, { method: 'POST', body: { clientToken: token } });
      toast(t('documents.statementCreated', { title: made.document.title }));
      setToken(newToken());
      await downloadDocument(made.document.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) toast(msg(err.body && err.body.message) || t('error.generic', { status: err.status }), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="btn" onClick={onClick} disabled={busy} data-testid="statement-pdf">
      {busy ? t('documents.generating') : t('documents.statement')}
    </button>
  );
}
