// Staff CRM "Rozliczenia": contracts (list, new, card with changes), the contract billing run
// (preview, run, progress), training settlements (preview per unit, settle), settlement
// documents by status and the settlement card; the unit card's "Rozliczenia" tab.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, useApi, usePaged, withQuery } from '../api.js';
import { fmtDate, fmtDateTime, todayWarsaw } from '../format.js';
import { msg, t, tOr } from '../i18n.js';
import { href, navigate } from '../router.js';
import { datesText } from '../trainings-common.jsx';
import { DataList, ErrorView, FormActions, FormSummary, InlineError, Loading, MoreButton, SelectField, SubNav, TabPanel, Tabs, TextArea, TextField, checkFields, toast, useForm } from '../ui.jsx';
import {
  fmtPln,
  LinesTable,
  periodLabel,
  ReceivablesBox,
  SettlementsTable,
  SettlementView,
  settlementTitle,
  VAT_CHOICES,
  vatLabel,
} from '../billing-common.jsx';
import { UnitPicker } from './search.jsx';
import { StatementButton } from './documents.jsx';

const unitHref = (id) => `#/crm/units/${encodeURIComponent(id)}`;
const contractHref = (id) => `#/crm/billing/contracts/${encodeURIComponent(id)}`;
const docHref = (id) => `#/crm/billing/documents/${encodeURIComponent(id)}`;
const trainingHref = (id) => `#/crm/trainings/${encodeURIComponent(id)}`;

const CYCLES = ['monthly', 'quarterly', 'half_yearly', 'yearly'];
const TIMINGS = ['advance', 'arrears'];
const PRO_RATA = ['calendar_days', 'months'];
const STATUSES = ['draft', 'issued', 'exported', 'invoiced'];
const SECTIONS = [
  ['contracts', '/crm/billing/contracts'],
  ['run', '/crm/billing/run'],
  ['trainings', '/crm/billing/trainings'],
  ['documents', '/crm/billing/documents'],
  ['exports', '/crm/billing/exports'],
];

/** Sub-navigation of the "Rozliczenia" section. */
export function BillingNav({ active }) {
  return <SubNav label={t('billing.subnav')} testid="billing-nav" active={active} items={SECTIONS.map(([id, to]) => [id, to, t(`billing.sections.${id}`)])} />;
}

function BillingPage({ section, title, children, actions, testid }) {
  return (
    <section class="page" data-testid={testid}>
      <BillingNav active={section} />
      <div class="page-head">
        <h1>{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Names of units by id, loaded once per id (lists of contracts and drafts carry ids only). */
const unitNameCache = new Map();
function useUnitNames(ids) {
  const [, setTick] = useState(0);
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let alive = true;
    const missing = key ? key.split(',').filter((id) => !unitNameCache.has(id)) : [];
    for (const id of missing) {
      unitNameCache.set(id, null);
      api(`/api/staff/units/${encodeURIComponent(id)}`).then(
        (u) => {
          unitNameCache.set(id, u && u.name);
          if (alive) setTick((n) => n + 1);
        },
        () => unitNameCache.delete(id),
      );
    }
    return () => {
      alive = false;
    };
  }, [key]);
  return (id) => unitNameCache.get(id) || '';
}

/* ---------- contracts ---------- */

function contractState(c) {
  const today = todayWarsaw();
  const open = (c.suspensions || []).find((s) => !s.until);
  if (c.terminatedOn) return { key: 'terminated', text: t('billing.contracts.terminated', { date: fmtDate(c.terminatedOn) }) };
  if (c.end && c.end < today) return { key: 'ended', text: t('billing.contracts.ended', { date: fmtDate(c.end) }) };
  if (open) return { key: 'suspended', text: t('billing.contracts.suspended', { date: fmtDate(open.from) }) };
  return { key: 'active', text: t('billing.contracts.active') };
}

function currentTerms(c) {
  const today = todayWarsaw();
  const terms = c.terms || [];
  return [...terms].reverse().find((x) => x.effectiveFrom <= today) || terms[0];
}

export function ContractsTable({ items, showUnit = true, unitName }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="contracts-table">
        <thead>
          <tr>
            <th scope="col">{t('billing.contracts.subject')}</th>
            {showUnit && <th scope="col">{t('billing.contracts.unit')}</th>}
            <th scope="col">{t('billing.contracts.start')}</th>
            <th scope="col">{t('billing.contracts.end')}</th>
            <th scope="col">{t('billing.contracts.cycle')}</th>
            <th scope="col" class="num">
              {t('billing.contracts.net')}
            </th>
            <th scope="col">{t('billing.contracts.vat')}</th>
            <th scope="col">{t('billing.contracts.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const terms = currentTerms(c);
            const state = contractState(c);
            return (
              <tr key={c.id} data-contract={c.id} class={state.key === 'terminated' || state.key === 'ended' ? 'is-closed' : ''}>
                <td>
                  <a href={contractHref(c.id)}>{c.subject}</a>
                </td>
                {showUnit && (
                  <td>
                    <a href={unitHref(c.unitId)}>{unitName(c.unitId) || c.unitId}</a>
                  </td>
                )}
                <td class="nowrap">{fmtDate(c.start)}</td>
                <td class="nowrap">{c.end ? fmtDate(c.end) : <span class="muted">{t('billing.contracts.openEnded')}</span>}</td>
                <td>
                  {tOr(`billing.cycle.${c.cycle}`, c.cycle)}, {tOr(`billing.timing.${c.timing}`, c.timing)}
                </td>
                <td class="num nowrap">{terms ? fmtPln(terms.price.net) : ''}</td>
                <td>{terms ? vatLabel(terms.price.vat) : ''}</td>
                <td>
                  <span class={`badge ${state.key === 'active' ? 'badge-ok' : state.key === 'suspended' ? 'badge-open' : ''}`}>{state.text}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ContractsList({ query }) {
  const unitId = query.get('unitId') || '';
  const list = usePaged(withQuery('/api/staff/contracts', { unitId }));
  const unitName = useUnitNames(list.items.map((c) => c.unitId).concat(unitId ? [unitId] : []));
  const picked = unitId ? { id: unitId, name: unitName(unitId) || unitId } : null;
  const setUnit = (u) => navigate(href('/crm/billing/contracts', { unitId: u ? u.id : '' }).slice(1), { replace: true });
  return (
    <BillingPage
      section="contracts"
      title={t('billing.contracts.title')}
      testid="contracts-page"
      actions={
        <a class="btn btn-primary" href={href('/crm/billing/contracts/new', { unitId })}>
          {t('billing.contracts.add')}
        </a>
      }
    >
      <form class="filters card" aria-label={t('billing.contracts.filterUnit')} onSubmit={(e) => e.preventDefault()}>
        <UnitPicker label={t('billing.contracts.filterUnit')} value={picked} onChange={setUnit} />
      </form>
      <div class="card flush">
        {list.loading ? (
          <Loading />
        ) : list.error ? (
          <InlineError error={list.error} onRetry={list.reload} />
        ) : list.items.length === 0 ? (
          <p class="muted pad">{t('billing.contracts.empty')}</p>
        ) : (
          <>
            <ContractsTable items={list.items} unitName={unitName} />
            <MoreButton list={list} />
          </>
        )}
      </div>
    </BillingPage>
  );
}

const CONTRACT_FIELDS = ['unitId', 'subject', 'start', 'end', 'cycle', 'timing', 'proRata', 'priceNet', 'vat', 'vatExemptBasis'];

function ContractForm({ unit, onSaved, onCancel }) {
  const form = useForm(
    { unit, subject: '', start: '', end: '', cycle: 'monthly', timing: 'advance', proRata: 'calendar_days', priceNet: '', vat: '23', vatExemptBasis: '' },
    CONTRACT_FIELDS,
  );
  const v = form.values;
  useEffect(() => {
    if (unit && !v.unit) form.set('unit', unit);
  }, [unit && unit.id, unit && unit.name]);
  const onSubmit = form.submit(
    async (values) => {
      const body = {
        unitId: values.unit ? values.unit.id : undefined,
        subject: values.subject.trim(),
        start: values.start,
        cycle: values.cycle,
        timing: values.timing,
        proRata: values.proRata,
        priceNet: values.priceNet.trim(),
        vat: values.vat,
      };
      if (values.end) body.end = values.end;
      if (values.vat === 'zw' && values.vatExemptBasis.trim()) body.vatExemptBasis = values.vatExemptBasis.trim();
      const created = await api('/api/staff/contracts', { method: 'POST', body });
      toast(t('billing.contract.created'));
      onSaved(created);
    },
    (values) => {
      const fe = checkFields(values, { required: ['subject', 'start', 'priceNet'] });
      if (!values.unit) fe.unitId = { key: 'common.required' };
      return fe;
    },
  );
  const radios = (name, options, prefix) => (
    <fieldset class="fieldset" data-testid={`contract-${name}`}>
      <legend>{t(`billing.contracts.${name}`)}</legend>
      <div class="check-row">
        {options.map((o) => (
          <label key={o} class="radio">
            <input type="radio" name={`contract-${name}`} value={o} checked={v[name] === o} onChange={() => form.set(name, o)} /> {t(`billing.${prefix}.${o}`)}
          </label>
        ))}
      </div>
      {form.bind(name).error && <p class="field-error">{form.bind(name).error}</p>}
    </fieldset>
  );
  return (
    <form class="card form" aria-label={t('billing.contract.new')} onSubmit={onSubmit} noValidate data-testid="contract-form">
      <h2 class="card-title">{t('billing.contract.new')}</h2>
      <FormSummary form={form} />
      <div class="grid-2">
        <UnitPicker label={t('billing.contracts.unit')} value={v.unit} onChange={(u) => form.set('unit', u)} error={form.bind('unitId').error} />
        <TextField label={t('billing.contracts.subject')} required {...form.bind('subject')} />
        <TextField label={t('billing.contracts.start')} type="date" required {...form.bind('start')} />
        <TextField label={t('billing.contracts.end')} type="date" hint={t('billing.contracts.openEnded')} {...form.bind('end')} />
      </div>
      {radios('cycle', CYCLES, 'cycle')}
      {radios('timing', TIMINGS, 'timing')}
      {radios('proRata', PRO_RATA, 'proRata')}
      <div class="grid-2">
        <TextField label={t('billing.contracts.net')} required inputMode="decimal" placeholder="1 500,00" {...form.bind('priceNet')} />
        <SelectField label={t('billing.contracts.vat')} options={VAT_CHOICES.map((x) => ({ value: x, label: x === 'zw' ? t('billing.exempt') : `${x}%` }))} {...form.bind('vat')} />
        {v.vat === 'zw' && <TextField label={t('billing.contracts.vatBasis')} hint={t('billing.contracts.vatBasisHint')} className="span-2" {...form.bind('vatExemptBasis')} />}
      </div>
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}

export function ContractNew({ query }) {
  const unitId = query.get('unitId') || '';
  const unit = useApi(unitId ? `/api/staff/units/${encodeURIComponent(unitId)}` : null);
  if (unitId && unit.loading && !unit.data) return <Loading />;
  const initial = unit.data ? { id: unit.data.id, name: unit.data.name } : null;
  return (
    <BillingPage section="contracts" title={t('billing.contract.new')} testid="contract-new">
      <p class="crumbs">
        <a href="#/crm/billing/contracts">{t('billing.contracts.title')}</a>
        {initial && (
          <>
            {' / '}
            <a href={unitHref(initial.id)}>{initial.name}</a>
          </>
        )}
      </p>
      <ContractForm
        unit={initial}
        onSaved={(view) => navigate(view && view.contract ? `/crm/billing/contracts/${encodeURIComponent(view.contract.id)}` : '/crm/billing/contracts')}
        onCancel={() => (initial ? navigate(`/crm/units/${encodeURIComponent(initial.id)}?tab=billing`) : navigate('/crm/billing/contracts'))}
      />
    </BillingPage>
  );
}

function priceText(price) {
  if (!price) return '';
  return `${fmtPln(price.net)} + ${vatLabel(price.vat)}`;
}

function changeText(ch) {
  const c = ch.change || {};
  switch (c.kind) {
    case 'created':
      return t('billing.contract.changes.created');
    case 'suspended':
      return t('billing.contract.changes.suspended', { date: fmtDate(c.from) });
    case 'resumed':
      return t('billing.contract.changes.resumed', { date: fmtDate(c.on) });
    case 'amended':
      return t('billing.contract.changes.amended', { date: fmtDate(c.effectiveFrom), price: priceText(c.price) });
    case 'terminated':
      return t('billing.contract.changes.terminated', { date: fmtDate(c.lastDay) });
    default:
      return c.kind || '';
  }
}

const CHANGE_KINDS = [
  ['suspend', 'from'],
  ['resume', 'on'],
  ['amend', 'effectiveFrom'],
  ['terminate', 'lastDay'],
];

function ContractChangeForm({ contract, onChanged, onConflict }) {
  const open = (contract.suspensions || []).find((s) => !s.until);
  const form = useForm({ kind: open ? 'resume' : 'suspend', from: '', on: '', effectiveFrom: '', lastDay: '', priceNet: '', vat: '', vatExemptBasis: '' }, [
    'kind',
    'from',
    'on',
    'effectiveFrom',
    'lastDay',
    'priceNet',
    'vat',
    'vatExemptBasis',
    'version',
  ]);
  const v = form.values;
  const dateField = CHANGE_KINDS.find(([k]) => k === v.kind)[1];
  const onSubmit = form.submit(
    async (values) => {
      const body = { kind: values.kind, [dateField]: values[dateField], version: contract.version };
      if (values.kind === 'amend') {
        if (values.priceNet.trim()) body.priceNet = values.priceNet.trim();
        if (values.vat) body.vat = values.vat;
        if (values.vat === 'zw' && values.vatExemptBasis.trim()) body.vatExemptBasis = values.vatExemptBasis.trim();
      }
      try {
        const view = await api(`/api/staff/contracts/${encodeURIComponent(contract.id)}/changes`, { method: 'POST', body });
        toast(t('billing.contract.applied'));
        form.reset({ ...values, [dateField]: '', priceNet: '', vat: '', vatExemptBasis: '', kind: values.kind });
        onChanged(view);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          onConflict();
          return;
        }
        throw err;
      }
    },
    (values) => checkFields(values, { required: [dateField] }),
  );
  return (
    <form class="card form" aria-label={t('billing.contract.actions')} onSubmit={onSubmit} noValidate data-testid="contract-change-form">
      <h2 class="card-title">{t('billing.contract.actions')}</h2>
      <FormSummary form={form} />
      <fieldset class="fieldset">
        <legend>{t('billing.contract.chooseAction')}</legend>
        <div class="check-row">
          {CHANGE_KINDS.map(([k]) => (
            <label key={k} class="radio">
              <input type="radio" name="contract-change" value={k} checked={v.kind === k} onChange={() => form.set('kind', k)} /> {t(`billing.contract.kinds.${k}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="grid-2">
        <TextField key={dateField} label={t(`billing.contract.${v.kind}`)} type="date" required {...form.bind(dateField)} />
        {v.kind === 'amend' && (
          <>
            <TextField label={t('billing.contract.newNet')} inputMode="decimal" hint={t('billing.contract.newNetHint')} {...form.bind('priceNet')} />
            <SelectField
              label={t('billing.contract.newVat')}
              options={[{ value: '', label: t('billing.contract.keepVat') }, ...VAT_CHOICES.map((x) => ({ value: x, label: x === 'zw' ? t('billing.exempt') : `${x}%` }))]}
              {...form.bind('vat')}
            />
            {v.vat === 'zw' && <TextField label={t('billing.contracts.vatBasis')} hint={t('billing.contracts.vatBasisHint')} {...form.bind('vatExemptBasis')} />}
          </>
        )}
      </div>
      <FormActions busy={form.busy} submitLabel={t('billing.contract.apply')} />
    </form>
  );
}

export function ContractCard({ id }) {
  const res = useApi(`/api/staff/contracts/${encodeURIComponent(id)}`);
  const [notice, setNotice] = useState(null);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  if (!res.data) return null;
  const { contract: c, unitName, charges = [], nextDue } = res.data;
  const state = contractState(c);
  const lastDay = c.terminatedOn && c.end ? (c.terminatedOn < c.end ? c.terminatedOn : c.end) : c.terminatedOn || c.end;
  return (
    <BillingPage section="contracts" title={c.subject} testid="contract-card">
      <p class="crumbs">
        <a href="#/crm/billing/contracts">{t('billing.contracts.title')}</a>
        {' / '}
        <a href={unitHref(c.unitId)}>{unitName || c.unitId}</a>
      </p>
      <p class="subtitle">
        <span class={`badge ${state.key === 'active' ? 'badge-ok' : state.key === 'suspended' ? 'badge-open' : ''}`} data-testid="contract-state">
          {state.text}
        </span>
      </p>
      {notice && (
        <div class="form-summary" role="alert" data-testid="contract-notice">
          {notice}
        </div>
      )}
      <div class="card">
        <h2 class="card-title">{t('billing.contract.data')}</h2>
        <DataList
          rows={[
            [t('billing.contracts.unit'), <a href={unitHref(c.unitId)}>{unitName || c.unitId}</a>, 'contract-unit'],
            [t('billing.contracts.subject'), c.subject, 'contract-subject'],
            [t('billing.contracts.start'), fmtDate(c.start), 'contract-start'],
            [t('billing.contracts.end'), c.end ? fmtDate(c.end) : t('billing.contracts.openEnded'), 'contract-end'],
            [t('billing.contract.lastDay'), lastDay ? fmtDate(lastDay) : null, 'contract-last-day'],
            [t('billing.contracts.cycle'), tOr(`billing.cycle.${c.cycle}`, c.cycle), 'contract-cycle'],
            [t('billing.contracts.timing'), tOr(`billing.timing.${c.timing}`, c.timing), 'contract-timing'],
            [t('billing.contracts.proRata'), tOr(`billing.proRata.${c.proRata}`, c.proRata), 'contract-pro-rata'],
            [t('billing.contract.nextDue'), nextDue ? fmtDate(nextDue) : t('billing.contract.nothingDue'), 'contract-next-due'],
          ]}
        />
      </div>
      <section class="card" aria-labelledby="terms-title">
        <h2 class="card-title" id="terms-title">
          {t('billing.contract.terms')}
        </h2>
        <div class="table-wrap">
          <table class="table" data-testid="contract-terms">
            <thead>
              <tr>
                <th scope="col">{t('billing.contract.effectiveFrom')}</th>
                <th scope="col" class="num">
                  {t('billing.contracts.net')}
                </th>
                <th scope="col">{t('billing.contracts.vat')}</th>
              </tr>
            </thead>
            <tbody>
              {(c.terms || []).map((x) => (
                <tr key={x.effectiveFrom}>
                  <td class="nowrap">{fmtDate(x.effectiveFrom)}</td>
                  <td class="num nowrap">{fmtPln(x.price.net)}</td>
                  <td>
                    {vatLabel(x.price.vat)}
                    {x.price.vat && x.price.vat.kind === 'exempt' && <div class="muted small">{x.price.vat.basis}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="susp-title">
        <h2 class="card-title" id="susp-title">
          {t('billing.contract.suspensions')}
        </h2>
        {(c.suspensions || []).length === 0 ? (
          <p class="muted">{t('billing.contract.noSuspensions')}</p>
        ) : (
          <ul data-testid="contract-suspensions">
            {c.suspensions.map((s) => (
              <li key={s.from}>
                {fmtDate(s.from)} – {s.until ? fmtDate(s.until) : t('billing.contract.untilFurther')}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="charges-title">
        <h2 class="card-title" id="charges-title">
          {t('billing.contract.charges')}
        </h2>
        {charges.length === 0 ? (
          <p class="muted">{t('billing.contract.noCharges')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="contract-charges">
              <thead>
                <tr>
                  <th scope="col">{t('billing.contract.period')}</th>
                  <th scope="col">{t('billing.contract.kind')}</th>
                  <th scope="col">{t('billing.contract.description')}</th>
                  <th scope="col">{t('billing.contract.dueOn')}</th>
                  <th scope="col" class="num">
                    {t('billing.run.net')}
                  </th>
                  <th scope="col">{t('billing.run.vat')}</th>
                  <th scope="col">{t('billing.contract.settlement')}</th>
                </tr>
              </thead>
              <tbody>
                {charges.map((ch) => (
                  <tr key={`${ch.period && ch.period.start}-${ch.sequence}`}>
                    <td class="nowrap">{periodLabel(ch.period)}</td>
                    <td>{ch.kind === 'correction' ? t('billing.contract.kindCorrection') : t('billing.contract.kindRegular')}</td>
                    <td>{ch.description}</td>
                    <td class="nowrap">{fmtDate(ch.dueOn)}</td>
                    <td class="num nowrap">{fmtPln(ch.net)}</td>
                    <td>{vatLabel(ch.vat)}</td>
                    <td>
                      <a href={docHref(ch.settlementId)}>{t('billing.contract.openSettlement')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ContractChangeForm
        key={c.id}
        contract={c}
        onChanged={(view) => {
          setNotice(null);
          res.setData(view);
        }}
        onConflict={() => {
          setNotice(t('billing.contract.conflict'));
          res.reload();
        }}
      />
      <section class="card" aria-labelledby="chist-title">
        <h2 class="card-title" id="chist-title">
          {t('billing.contract.history')}
        </h2>
        <ul class="history" data-testid="contract-history">
          {[...(c.history || [])].reverse().map((h, i) => (
            <li key={i}>
              <span class="muted small">{fmtDateTime(h.at)}</span> {changeText(h)}
              {h.by && h.by.name && <span class="muted small"> — {h.by.name}</span>}
            </li>
          ))}
        </ul>
      </section>
    </BillingPage>
  );
}

/* ---------- monthly run ---------- */

const firstOfMonth = () => `${todayWarsaw().slice(0, 8)}01`;
const POLL_MS = 1500;
const POLL_LIMIT_MS = 180_000;

export function BillingRunPage({ query }) {
  const initial = /^\d{4}-\d{2}-\d{2}$/.test(query.get('asOf') || '') ? query.get('asOf') : firstOfMonth();
  const [asOf, setAsOf] = useState(initial);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState(null); // {asOf, total, remaining, done, stalled}
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);

  const loadPreview = async (day) => {
    const p = await api(withQuery('/api/staff/billing/preview', { asOf: day }));
    setPreview(p);
    return p;
  };
  const onPreview = async (e) => {
    if (e) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      navigate(href('/crm/billing/run', { asOf }).slice(1), { replace: true });
      await loadPreview(asOf);
    } catch (err) {
      setError(err);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const poll = (day, total, started) => {
    timer.current = setTimeout(async () => {
      try {
        const p = await loadPreview(day);
        const remaining = Math.min(p.contracts, total);
        const finished = p.contracts === 0;
        setRun({ asOf: day, total, remaining, finished, stalled: false });
        if (finished) return;
      } catch (err) {
        setError(err);
      }
      if (Date.now() - started > POLL_LIMIT_MS) {
        setRun((r) => ({ ...r, stalled: true }));
        return;
      }
      poll(day, total, started);
    }, POLL_MS);
  };
  const onRun = async () => {
    if (!confirm(t('billing.run.confirm', { date: fmtDate(asOf) }))) return;
    clearTimeout(timer.current);
    setBusy(true);
    setError(null);
    try {
      const q = await api('/api/staff/billing/run', { method: 'POST', body: { asOf } });
      setRun({ asOf: q.asOf, total: q.contracts, remaining: q.contracts, finished: q.contracts === 0, stalled: false });
      if (q.contracts > 0) poll(q.asOf, q.contracts, Date.now());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const charges = (preview && preview.charges) || [];
  // Totals per VAT as the server computes them (rounded as the settlements will be).
  const byVat = (preview && preview.totals) || { byVat: [] };
  return (
    <BillingPage section="run" title={t('billing.run.title')} testid="billing-run">
      <p class="muted">{t('billing.run.intro')}</p>
      <form class="card form toolbar" aria-label={t('billing.run.title')} onSubmit={onPreview} noValidate>
        <TextField label={t('billing.run.asOf')} type="date" value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
        <div class="form-actions">
          <button type="submit" class="btn" disabled={busy || !asOf}>
            {t('billing.run.preview')}
          </button>
          <button type="button" class="btn btn-primary" disabled={busy || !asOf || !preview || preview.asOf !== asOf || charges.length === 0 || (run && !run.finished && !run.stalled)} onClick={onRun}>
            {t('billing.run.start')}
          </button>
        </div>
      </form>
      {error && <InlineError error={error} />}
      {run && <RunProgress run={run} />}
      {preview && (
        <section class="card flush" aria-label={t('billing.run.preview')} data-testid="run-preview">
          {charges.length === 0 ? (
            <p class="muted pad" data-testid="run-preview-empty">
              {t('billing.run.empty')}
            </p>
          ) : (
            <>
              <p class="pad" data-testid="run-preview-count">
                {t('billing.run.contracts', { n: preview.contracts })}
              </p>
              <div class="table-wrap">
                <table class="table" data-testid="run-preview-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('billing.run.unit')}</th>
                      <th scope="col">{t('billing.run.contract')}</th>
                      <th scope="col">{t('billing.run.period')}</th>
                      <th scope="col" class="num">
                        {t('billing.run.net')}
                      </th>
                      <th scope="col">{t('billing.run.vat')}</th>
                      <th scope="col">{t('billing.run.description')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {charges.map((ch) => (
                      <tr key={`${ch.contractId}-${ch.period.start}-${ch.sequence}`} data-contract={ch.contractId}>
                        <td>
                          <a href={unitHref(ch.unitId)}>{ch.unitName || ch.unitId}</a>
                        </td>
                        <td>
                          <a href={contractHref(ch.contractId)}>{ch.subject}</a>
                        </td>
                        <td class="nowrap">{periodLabel(ch.period)}</td>
                        <td class="num nowrap" data-testid="charge-net">
                          {fmtPln(ch.net)}
                        </td>
                        <td>{vatLabel(ch.vat)}</td>
                        <td>{ch.description}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    {byVat.byVat.map((g) => (
                      <tr key={`${g.code}-${(g.vat && g.vat.basis) || ''}`} class="subtotal">
                        <th scope="row" colSpan={3}>
                          {t('billing.run.total')} {vatLabel(g.vat)}
                        </th>
                        <td class="num nowrap">{fmtPln(g.net)}</td>
                        <td colSpan={2} />
                      </tr>
                    ))}
                    <tr class="total">
                      <th scope="row" colSpan={3}>
                        {t('billing.run.total')}
                      </th>
                      <td class="num nowrap" data-testid="run-total-net">
                        {fmtPln(preview.totalNet)}
                      </td>
                      <td colSpan={2} />
                    </tr>
                  </tfoot>
                </table>
              </div>
            </>
          )}
        </section>
      )}
    </BillingPage>
  );
}

function RunProgress({ run }) {
  const done = run.total - run.remaining;
  let text;
  if (run.total === 0) text = t('billing.run.nothingQueued');
  else if (run.finished) text = t('billing.run.done', { total: run.total });
  else text = t('billing.run.progress', { done, total: run.total });
  return (
    <div class="card run-progress" role="status" aria-live="polite" data-testid="run-progress" data-finished={run.finished ? 'true' : 'false'}>
      <p>{t('billing.run.queued', { n: run.total })}</p>
      {run.total > 0 && <progress max={run.total} value={run.finished ? run.total : done} aria-label={t('billing.run.waiting')} />}
      <p data-testid="run-progress-text">{text}</p>
      {run.stalled && !run.finished && <p class="muted">{t('billing.run.stalled')}</p>}
    </div>
  );
}

/* ---------- training settlements ---------- */

export function TrainingSettlePage({ query }) {
  const [by, setBy] = useState(query.get('unitId') ? 'unit' : 'training');
  const [trainingId, setTrainingId] = useState(query.get('trainingId') || '');
  const [unit, setUnit] = useState(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [preview, setPreview] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({}, ['trainingId', 'unitId', 'from', 'to']);
  const completed = usePaged(by === 'training' ? '/api/staff/trainings?phase=completed' : null);
  const presetUnit = useApi(query.get('unitId') ? `/api/staff/units/${encodeURIComponent(query.get('unitId'))}` : null);
  useEffect(() => {
    if (presetUnit.data && !unit) setUnit({ id: presetUnit.data.id, name: presetUnit.data.name });
  }, [presetUnit.data]);

  const selection = () => {
    if (by === 'training') return trainingId ? { trainingId } : null;
    if (by === 'unit') return unit ? { unitId: unit.id } : null;
    return { from, to };
  };
  const scopeKey = JSON.stringify([by, trainingId, unit && unit.id, from, to]);
  const [previewKey, setPreviewKey] = useState(null);
  const call = async (path, after) => {
    form.clear();
    const sel = selection();
    if (!sel) {
      form.setErrors(by === 'training' ? { trainingId: { key: 'common.required' } } : { unitId: { key: 'common.required' } });
      return;
    }
    setBusy(true);
    try {
      const r = await api(path, { method: 'POST', body: sel });
      after(r);
    } catch (err) {
      form.fail(err);
    } finally {
      setBusy(false);
    }
  };
  const onPreview = (e) => {
    e.preventDefault();
    setResult(null);
    call('/api/staff/settlements/preview', (r) => {
      setPreview(r);
      setPreviewKey(scopeKey);
    });
  };
  const onSettle = () => {
    if (!preview || !confirm(t('billing.settle.confirm', { n: preview.drafts.length }))) return;
    call('/api/staff/settlements/settle', (r) => {
      setResult(r);
      setPreview(null);
      toast(t('billing.settle.settled', { n: r.settlements.length }));
      completed.reload();
    });
  };
  const drafts = (preview && preview.drafts) || [];
  const grand = (preview && preview.totals) || { net: '0', gross: '0' };
  const bind = (name) => ({ error: form.bind(name).error });
  return (
    <BillingPage section="trainings" title={t('billing.settle.title')} testid="settle-page">
      <p class="muted">{t('billing.settle.intro')}</p>
      <form class="card form" aria-label={t('billing.settle.title')} onSubmit={onPreview} noValidate data-testid="settle-form">
        <FormSummary form={form} />
        <fieldset class="fieldset">
          <legend>{t('billing.settle.by')}</legend>
          <div class="check-row">
            {['training', 'unit', 'period'].map((x) => (
              <label key={x} class="radio">
                <input
                  type="radio"
                  name="settle-by"
                  value={x}
                  checked={by === x}
                  onChange={() => {
                    setBy(x);
                    setPreview(null);
                    form.clear();
                  }}
                />{' '}
                {t(`billing.settle.by${x[0].toUpperCase()}${x.slice(1)}`)}
              </label>
            ))}
          </div>
        </fieldset>
        {by === 'training' &&
          (completed.loading ? (
            <Loading />
          ) : completed.error ? (
            <InlineError error={completed.error} onRetry={completed.reload} />
          ) : (
            <div class="grid-2">
              <SelectField
                label={t('billing.settle.training')}
                value={trainingId}
                onInput={(e) => setTrainingId(e.currentTarget.value)}
                options={[{ value: '', label: completed.items.length ? t('billing.settle.chooseTraining') : t('billing.settle.noCompleted') }, ...completed.items.map((tr) => ({ value: tr.id, label: `${tr.title} (${datesText(tr)})` }))]}
                {...bind('trainingId')}
              />
              <MoreButton list={completed} />
            </div>
          ))}
        {by === 'unit' && <UnitPicker label={t('billing.settle.unit')} value={unit} onChange={setUnit} {...bind('unitId')} />}
        {by === 'period' && (
          <div class="grid-2">
            <TextField label={t('billing.settle.from')} type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} {...bind('from')} />
            <TextField label={t('billing.settle.to')} type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} {...bind('to')} />
          </div>
        )}
        <div class="form-actions">
          <button type="submit" class="btn" disabled={busy}>
            {t('billing.settle.preview')}
          </button>
          <button type="button" class="btn btn-primary" disabled={busy || !preview || drafts.length === 0 || previewKey !== scopeKey} onClick={onSettle}>
            {t('billing.settle.settle')}
          </button>
        </div>
      </form>
      {preview && (
        <section class="stack" aria-label={t('billing.settle.preview')} data-testid="settle-preview">
          {drafts.length === 0 ? (
            <p class="muted" data-testid="settle-preview-empty">
              {t('billing.settle.empty')}
            </p>
          ) : (
            <>
              <p>
                <span data-testid="settle-units-count">{t('billing.settle.unitsCount', { n: drafts.length })}</span>
                {preview.trainingsCompleted && preview.trainingsCompleted.length > 0 && <span class="muted"> · {t('billing.settle.completes', { n: preview.trainingsCompleted.length })}</span>}
              </p>
              {drafts.map((d) => (
                <section key={d.unitId} class="card" aria-label={d.unitName || d.unitId} data-testid="settle-draft" data-unit={d.unitId}>
                  <h2 class="card-title">
                    <a href={unitHref(d.unitId)}>{d.unitName || d.unitId}</a>
                  </h2>
                  <LinesTable lines={d.lines} totals={d.totals} testid="draft-lines" />
                </section>
              ))}
              <p class="total-line" data-testid="settle-grand-total">
                {t('billing.settle.total')}: {fmtPln(grand.net)} {t('billing.settle.net').toLowerCase()}, {fmtPln(grand.gross)} {t('billing.settle.gross').toLowerCase()}
              </p>
            </>
          )}
        </section>
      )}
      {result && (
        <section class="card" aria-labelledby="settle-result-title" data-testid="settle-result" role="status">
          <h2 class="card-title" id="settle-result-title">
            {t('billing.settle.result')}
          </h2>
          {result.settlements.length === 0 ? (
            <p class="muted">{t('billing.settle.resultNone')}</p>
          ) : (
            <SettlementsTable items={result.settlements} hrefFor={docHref} unitName={(s) => (s.buyer ? s.buyer.name : s.unitId)} testid="settle-result-table" />
          )}
          {result.trainingsSettled.length > 0 && (
            <p class="muted">
              {t('billing.settle.trainingsSettled', { n: result.trainingsSettled.length })}{' '}
              {result.trainingsSettled.map((id) => (
                <a key={id} href={trainingHref(id)} class="sep-links">
                  {id}
                </a>
              ))}
            </p>
          )}
        </section>
      )}
    </BillingPage>
  );
}

/* ---------- documents ---------- */

export function DocumentsPage({ query }) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : 'issued';
  const list = usePaged(withQuery('/api/staff/settlements', { status }));
  const unitName = useUnitNames(list.items.filter((s) => !s.buyer).map((s) => s.unitId));
  const setStatus = (s) => navigate(href('/crm/billing/documents', { status: s }).slice(1), { replace: true });
  return (
    <BillingPage section="documents" title={t('billing.docs.title')} testid="documents-page">
      <Tabs label={t('billing.docs.tabs')} active={status} onChange={setStatus} tabs={STATUSES.map((s) => ({ id: s, label: t(`billing.status.${s}`) }))} />
      <TabPanel id={status}>
        <div class="card flush">
          {list.loading ? (
            <Loading />
          ) : list.error ? (
            <InlineError error={list.error} onRetry={list.reload} />
          ) : list.items.length === 0 ? (
            <p class="muted pad">{t('billing.docs.empty')}</p>
          ) : (
            <>
              <SettlementsTable items={list.items} hrefFor={docHref} unitName={(s) => <a href={unitHref(s.unitId)}>{s.buyer ? s.buyer.name : unitName(s.unitId) || s.unitId}</a>} />
              <MoreButton list={list} />
            </>
          )}
        </div>
      </TabPanel>
    </BillingPage>
  );
}

export function DocumentCard({ id }) {
  const res = useApi(`/api/staff/settlements/${encodeURIComponent(id)}`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  if (!res.data) return null;
  const s = res.data;
  return (
    <BillingPage section="documents" title={settlementTitle(s)} testid="document-card">
      <p class="crumbs">
        <a href={href('/crm/billing/documents', { status: s.status })}>{t('billing.doc.back')}</a>
        {' / '}
        <a href={unitHref(s.unitId)}>{s.buyer ? s.buyer.name : s.unitId}</a>
      </p>
      <div class="toolbar">
        <StatementButton settlement={s} />
      </div>
      <SettlementView settlement={s} hrefFor={docHref} unitHref={(uid) => unitHref(uid)} />
    </BillingPage>
  );
}

/* ---------- unit card tab ---------- */

export function UnitBillingTab({ unit }) {
  const res = useApi(`/api/staff/units/${encodeURIComponent(unit.id)}/settlements`);
  const contracts = usePaged(withQuery('/api/staff/contracts', { unitId: unit.id }));
  const items = res.data ? [...res.data.settlements].sort((a, b) => String(b.issueDate || '').localeCompare(String(a.issueDate || '')) || String(b.number || '').localeCompare(String(a.number || ''))) : [];
  return (
    <div class="stack" data-testid="unit-billing">
      {res.loading && !res.data ? (
        <Loading />
      ) : res.error ? (
        <InlineError error={res.error} onRetry={res.reload} />
      ) : (
        <>
          <ReceivablesBox receivables={res.data.receivables} />
          <section class="card" aria-labelledby="unit-docs-title">
            <h2 class="card-title" id="unit-docs-title">
              {t('billing.unitTab.settlements')}
            </h2>
            {items.length === 0 ? <p class="muted">{t('billing.unitTab.empty')}</p> : <SettlementsTable items={items} hrefFor={docHref} testid="unit-settlements" />}
          </section>
        </>
      )}
      <section class="card" aria-labelledby="unit-contracts-title">
        <div class="card-head">
          <h2 class="card-title" id="unit-contracts-title">
            {t('billing.unitTab.contracts')}
          </h2>
          <a class="btn btn-small" href={href('/crm/billing/contracts/new', { unitId: unit.id })} data-testid="unit-new-contract">
            {t('billing.unitTab.newContract')}
          </a>
        </div>
        {contracts.loading ? (
          <Loading />
        ) : contracts.error ? (
          <InlineError error={contracts.error} onRetry={contracts.reload} />
        ) : contracts.items.length === 0 ? (
          <p class="muted">{t('billing.unitTab.noContracts')}</p>
        ) : (
          <ContractsTable items={contracts.items} showUnit={false} />
        )}
      </section>
    </div>
  );
}


/* ---------- accounting export and payments ---------- */

export function ExportsPage() {
  const list = usePaged('/api/staff/exports');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const batch = await api('/api/staff/exports', { method: 'POST' });
      toast(t('billing.exp.created', { number: batch.number, documents: batch.documents }));
      list.reload();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? t('billing.exp.nothing') : err);
    } finally {
      setBusy(false);
    }
  };
  const download = async (batch, name) => {
    const link = await api(`/api/staff/exports/${encodeURIComponent(batch.id)}/files/${encodeURIComponent(name)}`);
    window.location.assign(link.url);
  };
  return (
    <BillingPage
      section="exports"
      title={t('billing.exp.title')}
      testid="exports-page"
      actions={
        <button type="button" class="btn btn-primary" disabled={busy} onClick={create} data-testid="export-create">
          {t('billing.exp.create')}
        </button>
      }
    >
      <p class="muted">{t('billing.exp.intro')}</p>
      {error && (typeof error === 'string' ? <p class="notice" role="status" data-testid="export-nothing">{error}</p> : <InlineError error={error} />)}
      <div class="card flush">
        <h2 class="card-title pad">{t('billing.exp.batches')}</h2>
        {list.loading ? (
          <Loading />
        ) : list.error ? (
          <InlineError error={list.error} onRetry={list.reload} />
        ) : list.items.length === 0 ? (
          <p class="muted pad">{t('billing.exp.empty')}</p>
        ) : (
          <table class="table" data-testid="export-batches">
            <thead>
              <tr>
                <th scope="col">{t('billing.exp.number')}</th>
                <th scope="col">{t('billing.exp.createdAt')}</th>
                <th scope="col" class="num">{t('billing.exp.documents')}</th>
                <th scope="col" class="num">{t('billing.exp.customers')}</th>
                <th scope="col" class="num">{t('billing.exp.gross')}</th>
                <th scope="col">{t('billing.exp.files')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((b) => (
                <tr key={b.id} data-testid="export-batch">
                  <td>
                    <strong>{b.number}</strong>
                    {(b.heldBack || []).length > 0 && (
                      <details>
                        <summary>{t('billing.exp.heldBack')}: {b.heldBack.length}</summary>
                        <ul>
                          {b.heldBack.map((h) => (
                            <li key={h.settlementId}>
                              <a href={docHref(h.settlementId)}>{h.number || h.settlementId}</a> — {msg({ pl: h.pl, en: h.en })}
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>{fmtDateTime(b.createdAt)}</td>
                  <td class="num">{b.documents}</td>
                  <td class="num">{b.customers}</td>
                  <td class="num">{fmtPln(b.totalGross)}</td>
                  <td>
                    {(b.files || []).map((f) => (
                      <button key={f.name} type="button" class="btn btn-small btn-link" onClick={() => download(b, f.name)} data-testid="export-file">
                        {f.name}
                      </button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreButton list={list} />
      </div>
      <PaymentImport />
    </BillingPage>
  );
}

function PaymentImport() {
  const [csv, setCsv] = useState('');
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const readFile = async (ev) => {
    const file = ev.currentTarget.files && ev.currentTarget.files[0];
    if (file) setCsv(await file.text());
  };
  const submit = async (ev) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(await api('/api/staff/payments', { method: 'POST', body: { csv } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} data-testid="payment-import">
      <h2 class="card-title">{t('billing.exp.payments')}</h2>
      <p class="muted">{t('billing.exp.paymentsHint')}</p>
      <label class="field">
        <span>{t('billing.exp.file')}</span>
        <input type="file" accept=".csv,text/csv" onChange={readFile} data-testid="payment-file" />
      </label>
      <TextArea label={t('billing.exp.csv')} value={csv} onInput={(e) => setCsv(e.currentTarget.value)} data-testid="payment-csv" />
      {error && <InlineError error={error} />}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !csv.trim()} data-testid="payment-submit">
          {t('billing.exp.import')}
        </button>
      </div>
      {report && (
        <div role="status" data-testid="payment-report">
          <p>{t('billing.exp.report', { applied: report.applied, unchanged: report.unchanged, stale: report.stale })}</p>
          {report.unknown.length > 0 && (
            <p>
              {t('billing.exp.unknown')}: {report.unknown.map((u) => `${u.documentNumber} (${t('billing.exp.line', { n: u.lineNo })})`).join(', ')}
            </p>
          )}
          {report.errors.length > 0 && (
            <ul>
              {report.errors.map((e, i) => (
                <li key={i}>
                  {t('billing.exp.line', { n: e.lineNo })}: {msg({ pl: e.messagePl, en: e.messageEn })}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
