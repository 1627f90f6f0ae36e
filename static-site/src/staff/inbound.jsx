// Staff CRM: "Poczta przychodząca" — received messages (all / waiting for their sender), one
// message with its text, attachments and replies, linking it to a person, replying.
// The message text is plain text from the server, rendered as text (never as HTML).
import { useState } from 'preact/hooks';
import { api, useApi, usePaged, withQuery } from '../api.js';
import { fmtDateTime } from '../format.js';
import { t } from '../i18n.js';
import { href, navigate } from '../router.js';
import { checkFields, DataList, ErrorView, FormActions, FormSummary, InlineError, Loading, MoreButton, TabPanel, Tabs, TextArea, TextField, toast, useForm } from '../ui.jsx';
import { PersonSearch } from './search.jsx';

const messageHref = (id) => `#/crm/inbound/${encodeURIComponent(id)}`;

/** Where a linked object is in the app (person, unit, training), or null. */
function objectHref(ref) {
  if (!ref) return null;
  const id = encodeURIComponent(ref.id);
  if (ref.kind === 'person') return `#/crm/persons/${id}`;
  if (ref.kind === 'unit') return `#/crm/units/${id}`;
  if (ref.kind === 'training') return `#/crm/trainings/${id}`;
  return null;
}

function ObjectLink({ value }) {
  if (!value) return null;
  const h = objectHref(value);
  const text = value.label || value.id;
  return h ? <a href={h}>{text}</a> : <span>{text}</span>;
}

function mailbox(a) {
  if (!a) return '';
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** "Re: …" as the server writes it (the server's default applies when the field is left empty). */
function replySubject(subject) {
  const s = (subject || '').trim();
  if (!s) return '';
  return (/^(re|odp):/i.test(s) ? s : `Re: ${s}`).slice(0, 200);
}

function kb(size) {
  return t('inbound.kb', { n: Math.max(1, Math.round((size || 0) / 1024)).toLocaleString() });
}

const FILTERS = ['all', 'unassigned'];

export function InboundList({ query }) {
  const filter = query.get('unassigned') === 'true' ? 'unassigned' : 'all';
  const list = usePaged(withQuery('/api/staff/inbound', { unassigned: filter === 'unassigned' ? 'true' : '' }));
  const setFilter = (x) => navigate(href('/crm/inbound', { unassigned: x === 'unassigned' ? 'true' : '' }).slice(1), { replace: true });
  return (
    <section class="page">
      <div class="page-head">
        <div>
          <h1>{t('inbound.title')}</h1>
          <p class="subtitle">{t('inbound.intro')}</p>
        </div>
      </div>
      <Tabs label={t('inbound.filterLabel')} active={filter} onChange={setFilter} tabs={FILTERS.map((x) => ({ id: x, label: t(`inbound.${x}`) }))} />
      <TabPanel id={filter}>
        <div class="card flush">
          <InboundTable list={list} empty={filter === 'unassigned' ? t('inbound.emptyUnassigned') : t('inbound.empty')} />
        </div>
      </TabPanel>
    </section>
  );
}

function InboundTable({ list, empty }) {
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted pad">{empty}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="inbound-list">
          <thead>
            <tr>
              <th scope="col">{t('inbound.receivedAt')}</th>
              <th scope="col">{t('inbound.from')}</th>
              <th scope="col">{t('inbound.subject')}</th>
              <th scope="col">{t('inbound.person')}</th>
              <th scope="col">{t('inbound.concerns')}</th>
              <th scope="col" class="num">{t('inbound.attachmentsCol')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((m) => (
              <tr key={m.id} data-testid="inbound-row">
                <td>
                  <time dateTime={m.receivedAt}>{fmtDateTime(m.receivedAt)}</time>
                </td>
                <td>
                  {m.from ? (
                    <>
                      {m.from.name || m.from.address}
                      {m.from.name && <div class="muted small">{m.from.address}</div>}
                    </>
                  ) : (
                    <span class="muted">{t('common.none')}</span>
                  )}
                </td>
                <td>
                  <a href={messageHref(m.id)}>{m.subject || t('inbound.noSubject')}</a>
                  {m.excerpt && <div class="muted small">{m.excerpt}</div>}
                </td>
                <td>{m.status === 'assigned' ? <ObjectLink value={m.person} /> : <span class="badge badge-danger">{t('inbound.statusUnassigned')}</span>}</td>
                <td>
                  <ObjectLink value={m.concerns} />
                </td>
                <td class="num">{m.attachments || ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

export function InboundMessage({ id }) {
  const res = useApi(`/api/staff/inbound/${encodeURIComponent(id)}`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  if (!res.data) return null;
  const { message: m, attachmentLinks, originalUrl, replies } = res.data;
  const assigned = m.status === 'assigned';
  return (
    <section class="page" data-testid="inbound-message">
      <p class="crumbs">
        <a href="#/crm/inbound">{t('inbound.title')}</a>
      </p>
      <div class="page-head">
        <div>
          <h1 data-testid="inbound-subject">{m.subject || t('inbound.noSubject')}</h1>
          <p class="subtitle">
            {mailbox(m.from)} · {fmtDateTime(m.receivedAt)} {!assigned && <span class="badge badge-danger">{t('inbound.statusUnassigned')}</span>}
          </p>
        </div>
      </div>
      <div class="card">
        <DataList
          rows={[
            [t('inbound.from'), mailbox(m.from)],
            [t('inbound.to'), (m.to || []).map(mailbox).join(', ')],
            ...(m.cc && m.cc.length ? [[t('inbound.cc'), m.cc.map(mailbox).join(', ')]] : []),
            [t('inbound.receivedAt'), fmtDateTime(m.receivedAt)],
            [t('inbound.sentAt'), m.date ? fmtDateTime(m.date) : ''],
            [t('inbound.person'), assigned ? <ObjectLink value={m.person} /> : '', 'inbound-person'],
            [t('inbound.unit'), m.unit ? <ObjectLink value={m.unit} /> : ''],
            [t('inbound.concerns'), m.concerns ? <ObjectLink value={m.concerns} /> : '', 'inbound-concerns'],
          ]}
        />
        {m.assignedBy && <p class="muted small">{t('inbound.assignedBy', { name: m.assignedBy.name, at: fmtDateTime(m.assignedAt) })}</p>}
        {m.problems && m.problems.length > 0 && (
          <div class="note" role="note" data-testid="inbound-problems">
            <strong>{t('inbound.problems')}</strong>
            <ul>
              {m.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <div class="card">
        <h2 class="card-title">{t('inbound.text')}</h2>
        {m.text ? (
          <div class="mail-text" data-testid="inbound-text">
            {m.text}
          </div>
        ) : (
          <p class="muted">{t('inbound.noText')}</p>
        )}
        {m.textTruncated && <p class="muted small">{t('inbound.textTruncated')}</p>}
      </div>
      <div class="card">
        <h2 class="card-title">{t('inbound.attachments')}</h2>
        {attachmentLinks.length ? (
          <ul class="attachments" data-testid="inbound-attachments">
            {attachmentLinks.map((a) => {
              const meta = (m.attachments || []).find((x) => x.index === a.index) || {};
              return (
                <li key={a.index}>
                  <a href={a.url} download={a.name} rel="noopener noreferrer">
                    {a.name}
                  </a>{' '}
                  <span class="muted small">
                    · {meta.contentType} · {kb(meta.size)}
                  </span>
                </li>
              );
            })}
          </ul>
        ) : (
          <p class="muted">{t('inbound.noAttachments')}</p>
        )}
        <p>
          <a href={originalUrl} rel="noopener noreferrer" data-testid="inbound-original">
            {t('inbound.original')}
          </a>
        </p>
        <p class="muted small">{t('inbound.linksHint')}</p>
      </div>
      {!assigned && <AssignBox message={m} onDone={res.reload} />}
      <div class="card">
        <h2 class="card-title">{t('inbound.repliesTitle')}</h2>
        {replies.length ? (
          <ol class="timeline" data-testid="inbound-replies">
            {replies.map((r) => (
              <li key={r.id} class="event event-email">
                <div class="event-head">
                  <time dateTime={r.sentAt || r.claimedAt}>{fmtDateTime(r.sentAt || r.claimedAt)}</time>
                  <span class="muted">
                    · {r.by.name} · {t('inbound.replySentTo', { to: r.to })}
                  </span>
                  {r.status !== 'sent' && <span class="badge">{t('inbound.replySending')}</span>}
                </div>
                <div class="event-subject">{r.subject}</div>
                <p class="event-body">{r.text}</p>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">{t('inbound.noReplies')}</p>
        )}
      </div>
      {assigned ? <ReplyForm key={m.id} message={m} onSent={res.reload} /> : <p class="note">{t('inbound.replyNeedsPerson')}</p>}
    </section>
  );
}

function AssignBox({ message, onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const pick = async (person) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api(`/api/staff/inbound/${encodeURIComponent(message.id)}/assign`, { method: 'POST', body: { personId: person.id } });
      toast(t('inbound.assigned', { name: person.label }));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card" data-testid="inbound-assign">
      <h2 class="card-title">{t('inbound.assignTitle')}</h2>
      <p class="muted">{t('inbound.assignHint')}</p>
      <PersonSearch label={t('inbound.assignSearch')} onPick={pick} testid="inbound-assign-search" />
      {error && <InlineError error={error} />}
    </div>
  );
}

function ReplyForm({ message, onSent }) {
  const form = useForm({ subject: replySubject(message.subject), text: '' }, ['subject', 'text']);
  const onSubmit = form.submit(
    async (v) => {
      const body = { text: v.text };
      if (v.subject.trim()) body.subject = v.subject.trim();
      const sent = await api(`/api/staff/inbound/${encodeURIComponent(message.id)}/reply`, { method: 'POST', body });
      toast(t('inbound.replySent', { to: sent.to }));
      form.reset({ subject: v.subject, text: '' });
      onSent();
    },
    (v) => checkFields(v, { required: ['text'] }),
  );
  return (
    <form class="card form" aria-label={t('inbound.replyTitle')} onSubmit={onSubmit} noValidate data-testid="inbound-reply">
      <h2 class="card-title">{t('inbound.replyTitle')}</h2>
      <FormSummary form={form} />
      <TextField label={t('inbound.replySubject')} {...form.bind('subject')} />
      <TextArea label={t('inbound.replyText')} rows={8} required {...form.bind('text')} />
      <FormActions busy={form.busy} submitLabel={t('inbound.replySubmit')} />
    </form>
  );
}
