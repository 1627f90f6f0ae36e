// Person forms shared by the staff CRM and the extranet: create (with duplicate handling),
// edit (partial PATCH with version), leave, employment history.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { fmtDate, fullName, isFeminine, todayWarsaw } from './format.js';
import { t } from './i18n.js';
import { checkFields, DuplicateNotice, FormActions, FormSummary, SelectField, TextField, toast, useForm } from './ui.jsx';

const PERSON_FIELDS = ['firstName', 'lastName', 'position', 'email', 'phone', 'unitId'];

/**
 * New person. `apiBase` is "/api/staff" or "/api/extranet". Either a fixed `unitId` or
 * `unitOptions` ([{value,label}]) for a "Jednostka" select.
 */
export function PersonCreateForm({ apiBase, unitId, unitOptions, personHref, onCreated, onCancel, title, testid }) {
  const initial = { firstName: '', lastName: '', position: '', email: '', phone: '', unitId: unitId || (unitOptions && unitOptions[0] && unitOptions[0].value) || '' };
  const form = useForm(initial, PERSON_FIELDS);

  const send = async (values, confirmDuplicate) => {
    const body = { firstName: values.firstName.trim(), lastName: values.lastName.trim(), unitId: values.unitId };
    for (const k of ['position', 'email', 'phone']) if (values[k].trim()) body[k] = values[k].trim();
    if (confirmDuplicate) body.confirmDuplicate = true;
    const created = await api(`${apiBase}/persons`, { method: 'POST', body });
    toast(t('person.added', { name: fullName(created && created.firstName ? created : body) }));
    form.reset(initial);
    onCreated && onCreated(created);
  };
  const validate = (v) => checkFields(v, { required: ['firstName', 'lastName', 'unitId'], emails: ['email'] });
  const onSubmit = form.submit((v) => send(v, false), validate);
  const onConfirm = form.submit((v) => send(v, true), validate);

  return (
    <form class="card form" aria-label={title || t('person.addTitle')} onSubmit={onSubmit} noValidate data-testid={testid || 'person-create-form'}>
      <h2 class="card-title">{title || t('person.addTitle')}</h2>
      <FormSummary form={form} />
      <div class="grid-2">
        <TextField label={t('person.firstName')} required autoComplete="off" {...form.bind('firstName')} />
        <TextField label={t('person.lastName')} required autoComplete="off" {...form.bind('lastName')} />
        <TextField label={t('person.position')} {...form.bind('position')} />
        {unitOptions && unitOptions.length > 1 && (
          <SelectField label={t('ext.unit')} required options={unitOptions} {...form.bind('unitId')} />
        )}
        <TextField label={t('person.email')} type="email" autoComplete="off" {...form.bind('email')} />
        <TextField label={t('person.phone')} type="tel" autoComplete="off" {...form.bind('phone')} />
      </div>
      <DuplicateNotice duplicates={form.duplicates} personHref={personHref} onConfirm={onConfirm} busy={form.busy} />
      <FormActions busy={form.busy} submitLabel={t('common.add')} onCancel={onCancel} />
    </form>
  );
}

/** Edit a person: only changed fields are sent, with `version`; a cleared field is sent as "". */
export function PersonEditForm({ apiBase, person, fields = ['firstName', 'lastName', 'position', 'email', 'phone'], personHref, onSaved, onCancel }) {
  const initial = Object.fromEntries(fields.map((f) => [f, person[f] || '']));
  const form = useForm(initial, fields);

  const send = async (values, confirmDuplicate) => {
    const body = { version: person.version };
    for (const f of fields) {
      const v = values[f].trim();
      if (v !== (person[f] || '')) body[f] = v; // "" clears the field
    }
    if (confirmDuplicate) body.confirmDuplicate = true;
    const updated = await api(`${apiBase}/persons/${encodeURIComponent(person.id)}`, { method: 'PATCH', body });
    toast(t('person.saved'));
    onSaved && onSaved(updated && updated.id ? updated : null);
  };
  const required = fields.filter((f) => f === 'firstName' || f === 'lastName');
  const validate = (v) => checkFields(v, { required, emails: ['email'] });

  const label = {
    firstName: t('person.firstName'),
    lastName: t('person.lastName'),
    position: t('person.position'),
    email: t('person.email'),
    phone: t('person.phone'),
  };
  const type = { email: 'email', phone: 'tel' };
  return (
    <form class="card form" aria-label={t('person.editTitle')} onSubmit={form.submit((v) => send(v, false), validate)} noValidate data-testid="person-edit-form">
      <h2 class="card-title">{t('person.editTitle')}</h2>
      <FormSummary form={form} />
      <div class="grid-2">
        {fields.map((f) => (
          <TextField key={f} label={label[f]} type={type[f] || 'text'} required={required.includes(f)} autoComplete="off" {...form.bind(f)} />
        ))}
      </div>
      <DuplicateNotice duplicates={form.duplicates} personHref={personHref} onConfirm={form.submit((v) => send(v, true), validate)} busy={form.busy} />
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}

export function leaveLabel(person) {
  return isFeminine(person.firstName) ? t('person.leaveF') : t('person.leaveM');
}

/** "Oznacz jako odchodzącą/odchodzącego": a date (default today) and confirm. */
export function LeaveForm({ apiBase, person, onDone, onCancel }) {
  const form = useForm({ on: todayWarsaw() }, ['on']);
  const onSubmit = form.submit(async (v) => {
    await api(`${apiBase}/persons/${encodeURIComponent(person.id)}/leave`, { method: 'POST', body: v.on ? { on: v.on } : {} });
    toast(t('person.leaveDone'));
    onDone && onDone();
  });
  return (
    <form class="card form" aria-label={t('person.leaveTitle')} onSubmit={onSubmit} noValidate data-testid="leave-form">
      <h2 class="card-title">
        {t('person.leaveTitle')}: {fullName(person)}
      </h2>
      <FormSummary form={form} />
      <TextField label={t('person.leaveOn')} type="date" {...form.bind('on')} />
      <FormActions busy={form.busy} submitLabel={t('person.leaveConfirm')} onCancel={onCancel} />
    </form>
  );
}

export function EmploymentTable({ items }) {
  if (!items || !items.length) return <p class="muted">{t('employment.empty')}</p>;
  return (
    <div class="table-wrap">
      <table class="table" data-testid="employments">
        <thead>
          <tr>
            <th scope="col">{t('employment.unit')}</th>
            <th scope="col">{t('employment.position')}</th>
            <th scope="col">{t('employment.from')}</th>
            <th scope="col">{t('employment.until')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e, i) => (
            <tr key={`${e.unitId}-${e.from}-${i}`}>
              <td>{e.unitHref ? <a href={e.unitHref}>{e.unitName || e.unitId}</a> : e.unitName || e.unitId}</td>
              <td>{e.position || ''}</td>
              <td>{fmtDate(e.from)}</td>
              <td>{e.until ? fmtDate(e.until) : <span class="muted">{t('employment.current')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Simple toggle hook for "show this form" buttons. */
export function useToggle(initial = false) {
  const [on, setOn] = useState(initial);
  return [on, () => setOn((x) => !x), setOn];
}
