// Contact history (timeline + add form), tasks (list + add form), audit log: used on unit
// and person cards and on the Tasks page.
import { api, normalizePage, useApi, usePaged } from '../api.js';
import { currentUser } from '../auth.js';
import { eventKindLabel, fmtDate, fmtDateTime, fullName, todayWarsaw } from '../format.js';
import { t, tOr } from '../i18n.js';
import { useToggle } from '../persons.jsx';
import { checkFields, errorText, FormActions, FormSummary, InlineError, Loading, MoreButton, SelectField, TextArea, TextField, toast, useForm } from '../ui.jsx';

export function linkHref(l) {
  if (l.kind === 'unit') return `#/crm/units/${encodeURIComponent(l.id)}`;
  if (l.kind === 'person') return `#/crm/persons/${encodeURIComponent(l.id)}`;
  if (l.kind === 'inbound_mail') return `#/crm/inbound/${encodeURIComponent(l.id)}`;
  return null;
}

export function LinkChips({ links, skip }) {
  const list = (links || []).filter((l) => !(skip && l.kind === skip.kind && l.id === skip.id));
  if (!list.length) return null;
  return (
    <ul class="chips" aria-label={t('history.links')}>
      {list.map((l) => {
        const h = linkHref(l);
        const text = `${tOr(`linkKind.${l.kind}`, l.kind)}: ${l.label || l.id}`;
        return <li key={`${l.kind}-${l.id}`}>{h ? <a href={h}>{text}</a> : text}</li>;
      })}
    </ul>
  );
}

/* ---------- contact history ---------- */

export function Timeline({ list, self }) {
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('history.empty')}</p>;
  return (
    <>
      <ol class="timeline" data-testid="timeline">
        {list.items.map((ev) => (
          <li key={ev.id} class={`event event-${String(ev.kind).replace(/[^a-z0-9_-]/gi, '')}`}>
            <div class="event-head">
              <span class="badge">{eventKindLabel(ev.kind)}</span>
              <time dateTime={ev.at}>{fmtDateTime(ev.at)}</time>
              {ev.author && ev.author.name && <span class="muted">· {ev.author.name}</span>}
            </div>
            <div class="event-subject">{ev.subject}</div>
            {ev.body && <p class="event-body">{ev.body}</p>}
            <LinkChips links={ev.links} skip={self} />
          </li>
        ))}
      </ol>
      <MoreButton list={list} />
    </>
  );
}

/** "Dodaj notatkę / rozmowę / spotkanie". `persons` (optional) offers personIds checkboxes. */
export function HistoryForm({ path, persons, onAdded }) {
  const form = useForm({ kind: 'note', subject: '', body: '', personIds: [] }, ['kind', 'subject', 'body', 'personIds']);
  const onSubmit = form.submit(
    async (v) => {
      const body = { kind: v.kind, subject: v.subject.trim() };
      if (v.body.trim()) body.body = v.body.trim();
      if (persons && v.personIds.length) body.personIds = v.personIds;
      await api(path, { method: 'POST', body });
      toast(t('history.added'));
      form.reset();
      onAdded && onAdded();
    },
    (v) => checkFields(v, { required: ['subject'] }),
  );
  const togglePerson = (id, on) => form.set('personIds', on ? [...form.values.personIds, id] : form.values.personIds.filter((x) => x !== id));
  return (
    <form class="card form" aria-label={t('history.addTitle')} onSubmit={onSubmit} noValidate data-testid="history-form">
      <h3 class="card-title">{t('history.addTitle')}</h3>
      <FormSummary form={form} />
      <div class="grid-2">
        <SelectField
          label={t('history.kind')}
          options={['note', 'call', 'meeting'].map((k) => ({ value: k, label: eventKindLabel(k) }))}
          {...form.bind('kind')}
        />
        <TextField label={t('history.subject')} required {...form.bind('subject')} />
      </div>
      <TextArea label={t('history.body')} {...form.bind('body')} />
      {persons && persons.length > 0 && (
        <fieldset class="fieldset">
          <legend>{t('history.persons')}</legend>
          <div class="check-grid">
            {persons.map((p) => (
              <label key={p.id} class="check-inline">
                <input type="checkbox" checked={form.values.personIds.includes(p.id)} onChange={(e) => togglePerson(p.id, e.currentTarget.checked)} />{' '}
                {fullName(p)}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <FormActions busy={form.busy} submitLabel={t('history.submit')} />
    </form>
  );
}

export function HistorySection({ path, persons, self }) {
  const list = usePaged(path);
  return (
    <div class="stack">
      <HistoryForm path={path} persons={persons} onAdded={list.reload} />
      <Timeline list={list} self={self} />
    </div>
  );
}

/* ---------- audit ---------- */

function show(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function AuditSection({ path }) {
  const list = usePaged(path);
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('audit.empty')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="audit">
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.changes')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((a) => (
              <tr key={a.id}>
                <td class="nowrap">{fmtDateTime(a.at)}</td>
                <td>{a.actor && a.actor.name}</td>
                <td>{tOr(`audit.actions.${a.action}`, a.action)}</td>
                <td>
                  {(a.changes || []).length > 0 && (
                    <ul class="changes">
                      {a.changes.map((c, i) => (
                        <li key={i}>
                          <code>{c.field}</code>: <del>{show(c.before)}</del> → <ins>{show(c.after)}</ins>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

/* ---------- tasks ---------- */

/** Add a task; assignees are the staff directory (GET /api/staff/users), "me" is the caller. */
export function TaskForm({ links, onAdded, onCancel }) {
  const me = currentUser();
  const users = useApi('/api/staff/users');
  const form = useForm({ title: '', description: '', dueOn: '', assigneeId: 'me' }, ['title', 'description', 'dueOn', 'assigneeId']);
  const options = [
    { value: '', label: t('tasks.nobody') },
    { value: 'me', label: t('tasks.me', { name: (me && (me.name || me.email)) || '' }) },
  ];
  for (const a of normalizePage(users.data).items) {
    if (a && a.id && a.id !== (me && me.sub) && !options.some((o) => o.value === a.id)) options.push({ value: a.id, label: a.name || a.id });
  }
  const onSubmit = form.submit(
    async (v) => {
      const body = { title: v.title.trim() };
      if (v.description.trim()) body.description = v.description.trim();
      if (v.dueOn) body.dueOn = v.dueOn;
      if (v.assigneeId) body.assigneeId = v.assigneeId;
      if (links && links.length) body.links = links;
      await api('/api/staff/tasks', { method: 'POST', body });
      toast(t('tasks.added'));
      form.reset();
      onAdded && onAdded();
    },
    (v) => checkFields(v, { required: ['title'] }),
  );
  return (
    <form class="card form" aria-label={t('tasks.addTitle')} onSubmit={onSubmit} noValidate data-testid="task-form">
      <h3 class="card-title">{t('tasks.addTitle')}</h3>
      <FormSummary form={form} />
      <TextField label={t('task.title')} required {...form.bind('title')} />
      <TextArea label={t('task.description')} rows={2} {...form.bind('description')} />
      <div class="grid-2">
        <TextField label={t('task.dueOn')} type="date" min={todayWarsaw()} {...form.bind('dueOn')} />
        <SelectField label={t('task.assignee')} options={options} {...form.bind('assigneeId')} />
      </div>
      <FormActions busy={form.busy} submitLabel={t('tasks.add')} onCancel={onCancel} />
    </form>
  );
}

export function TaskTable({ list, self }) {
  const today = todayWarsaw();
  const setStatus = async (task, status) => {
    try {
      await api(`/api/staff/tasks/${encodeURIComponent(task.id)}`, { method: 'PATCH', body: { status, version: task.version } });
      toast(t('tasks.updated'));
      list.reload();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  };
  if (list.loading) return <Loading />;
  if (list.error) return <InlineError error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <p class="muted">{t('tasks.empty')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="table" data-testid="tasks">
          <thead>
            <tr>
              <th scope="col">{t('task.title')}</th>
              <th scope="col">{t('task.dueOn')}</th>
              <th scope="col">{t('task.assignee')}</th>
              <th scope="col">{t('task.links')}</th>
              <th scope="col">{t('task.status')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('tasks.markDone')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((task) => {
              const overdue = task.status === 'open' && task.dueOn && task.dueOn < today;
              return (
                <tr key={task.id} class={task.status !== 'open' ? 'is-closed' : ''}>
                  <td>
                    <strong>{task.title}</strong>
                    {task.description && <div class="muted small">{task.description}</div>}
                    {task.createdBy && (
                      <div class="muted small">
                        {t('task.createdBy')}: {task.createdBy.name} · {fmtDateTime(task.createdAt)}
                      </div>
                    )}
                  </td>
                  <td class="nowrap">
                    {task.dueOn ? fmtDate(task.dueOn) : '—'}
                    {overdue && <span class="badge badge-danger">{t('task.overdue')}</span>}
                  </td>
                  <td>{task.assignee ? task.assignee.name : '—'}</td>
                  <td>
                    <LinkChips links={task.links} skip={self} />
                  </td>
                  <td>
                    <span class={`badge badge-${task.status}`}>{tOr(`task.statuses.${task.status}`, task.status)}</span>
                  </td>
                  <td class="nowrap">
                    {task.status === 'open' ? (
                      <button type="button" class="btn btn-small" onClick={() => setStatus(task, 'done')}>
                        {t('tasks.markDone')}
                      </button>
                    ) : (
                      <button type="button" class="btn btn-small btn-quiet" onClick={() => setStatus(task, 'open')}>
                        {t('tasks.reopen')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <MoreButton list={list} />
    </>
  );
}

function assigneesOf(items) {
  const seen = new Map();
  for (const x of items) {
    if (x.assignee && x.assignee.id) seen.set(x.assignee.id, x.assignee);
    if (x.createdBy && x.createdBy.id) seen.set(x.createdBy.id, x.createdBy);
  }
  return [...seen.values()];
}

/** Tasks of one object (unit/person card), with an add form pre-linked to it. */
export function TasksSection({ path, self }) {
  const list = usePaged(path);
  const [adding, toggleAdding, setAdding] = useToggle(false);
  return (
    <div class="stack">
      <div class="toolbar">
        <button type="button" class="btn btn-primary" aria-expanded={adding ? 'true' : 'false'} onClick={toggleAdding}>
          {t('tasks.add')}
        </button>
      </div>
      {adding && (
        <TaskForm
          links={[self]}
          onAdded={() => {
            setAdding(false);
            list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      <TaskTable list={list} self={self} />
    </div>
  );
}

export { assigneesOf };
