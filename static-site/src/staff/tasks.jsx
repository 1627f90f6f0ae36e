// Staff CRM: "Zadania" page — my/all, open/done/all, add task, mark done.
import { usePaged, withQuery } from '../api.js';
import { t } from '../i18n.js';
import { useToggle } from '../persons.jsx';
import { href, navigate } from '../router.js';
import { SelectField } from '../ui.jsx';
import { TaskForm, TaskTable } from './activity.jsx';

export function TasksPage({ query }) {
  const assignee = query.get('assignee') === 'all' ? 'all' : 'me';
  const status = query.get('status') === 'done' ? 'done' : 'open'; // the API lists one status at a time
  const list = usePaged(withQuery('/api/staff/tasks', { status, assignee }));
  const [adding, toggleAdding, setAdding] = useToggle(false);
  const setFilter = (k, v) => navigate(href('/crm/tasks', { assignee, status, [k]: v }).slice(1), { replace: true });
  return (
    <section class="page">
      <div class="page-head">
        <h1>{t('tasks.title')}</h1>
        <button type="button" class="btn btn-primary" aria-expanded={adding ? 'true' : 'false'} onClick={toggleAdding}>
          {t('tasks.add')}
        </button>
      </div>
      {adding && (
        <TaskForm
          onAdded={() => {
            setAdding(false);
            list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      <form class="filters card" aria-label={t('units.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('tasks.assignee')}
          value={assignee}
          onInput={(e) => setFilter('assignee', e.currentTarget.value)}
          options={[
            { value: 'me', label: t('tasks.mine') },
            { value: 'all', label: t('tasks.everyone') },
          ]}
        />
        <SelectField
          label={t('tasks.status')}
          value={status}
          onInput={(e) => setFilter('status', e.currentTarget.value)}
          options={[
            { value: 'open', label: t('tasks.statusOpen') },
            { value: 'done', label: t('tasks.statusDone') },
          ]}
        />
      </form>
      <div class="card flush">
        <TaskTable list={list} />
      </div>
    </section>
  );
}
