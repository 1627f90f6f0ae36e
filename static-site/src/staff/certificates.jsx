// Staff CRM: the training card's "Zaświadczenia" (the training's certificates, progress of the
// generation that completing the training queued, "Pobierz ZIP", "Wygeneruj ponownie", a name
// correction per certificate as a new version, the versions) and the person's certificates.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, useApi } from '../api.js';
import { byIssuedDesc, byNumber, CERTIFICATE_PHASES, CertificatesTable, LinkButton } from '../certificates.jsx';
import { fmtDateTime, fullName } from '../format.js';
import { t } from '../i18n.js';
import { FormSummary, InlineError, Loading, TextField, toast, useForm } from '../ui.jsx';
import { apiErrorDetail } from '../trainings-common.jsx';

const personHref = (c) => `#/crm/persons/${encodeURIComponent(c.personId)}`;
const trainingHref = (c) => `#/crm/trainings/${encodeURIComponent(c.trainingId)}`;
const downloadPath = (c) => `/api/staff/certificates/${encodeURIComponent(c.id)}/download`;

/** How long the tab re-reads the list while certificates are still being generated. */
const POLL_MS = 2000;
const POLL_MAX = 90;

/** The training card's tab "Zaświadczenia". `card` is `GET …/trainings/{id}` (training + enrolments). */
export function TrainingCertificatesTab({ card }) {
  const tr = card.training;
  const done = CERTIFICATE_PHASES.includes(tr.phase);
  const expected = (card.enrolments || []).filter((e) => e.status === 'attended').length;
  const base = `/api/staff/trainings/${encodeURIComponent(tr.id)}`;
  const list = useApi(done ? `${base}/certificates` : null);
  const [open, setOpen] = useState({}); // certificate id → 'correct' | 'versions'
  const [queueError, setQueueError] = useState(null);
  const [queueing, setQueueing] = useState(false);
  const polls = useRef(0);
  const items = [...(list.data || [])].sort(byNumber);
  const waiting = done && !!list.data && items.length < expected;
  const polling = waiting && polls.current < POLL_MAX;

  // Generation runs asynchronously after completion: re-read until every attendee has one.
  useEffect(() => {
    if (!polling || list.loading) return undefined;
    const timer = setTimeout(() => {
      polls.current += 1;
      list.reload();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, list.loading, list.data]);

  if (!done) return <p class="note" data-testid="certificates-not-yet">{t('certificates.notYet')}</p>;
  if (list.loading && !list.data) return <Loading />;
  if (list.error && !list.data) return <InlineError error={list.error} onRetry={list.reload} />;

  const regenerate = async () => {
    setQueueing(true);
    setQueueError(null);
    try {
      await api(`${base}/certificates`, { method: 'POST' });
      toast(t('certificates.regenerateQueued'));
      polls.current = 0;
      list.reload();
    } catch (err) {
      setQueueError(apiErrorDetail(err));
    } finally {
      setQueueing(false);
    }
  };
  const toggle = (c, what) => setOpen((o) => ({ ...o, [c.id]: o[c.id] === what ? null : what }));

  return (
    <div class="stack" data-testid="training-certificates">
      <div class="card">
        <div class="card-head">
          <div>
            <p data-testid="certificates-progress" data-issued={items.length} data-expected={expected}>
              {t('certificates.progress', { issued: items.length, expected })}
            </p>
            <p class="muted small">{t('certificates.attendedCount', { n: expected })}</p>
            {polling && (
              <p class="muted small" role="status" data-testid="certificates-generating">
                {t('certificates.generating')}
              </p>
            )}
            {waiting && !polling && <p class="muted small">{t('certificates.stillGenerating')}</p>}
          </div>
          <div class="actions">
            <LinkButton path={`${base}/certificates.zip`} label={t('certificates.zip')} busyLabel={t('certificates.zipLoading')} testid="certificates-zip" primary disabled={!items.length} />
            <button type="button" class="btn" disabled={queueing} onClick={regenerate} title={t('certificates.regenerateHint')} data-testid="certificates-regenerate">
              {t('certificates.regenerate')}
            </button>
            <button
              type="button"
              class="btn"
              onClick={() => {
                polls.current = 0;
                list.reload();
              }}
            >
              {t('certificates.refresh')}
            </button>
          </div>
        </div>
        {queueError && (
          <div class="form-summary" role="alert" data-testid="certificates-queue-error">
            {queueError}
          </div>
        )}
        {list.error && <InlineError error={list.error} onRetry={list.reload} />}
      </div>
      <div class="card flush">
        <h2 class="card-title pad">{t('certificates.title')}</h2>
        {items.length === 0 ? (
          <p class="muted pad">{t('certificates.none')}</p>
        ) : (
          <CertificatesTable
            items={items}
            showMailed
            holderHref={personHref}
            downloadPath={downloadPath}
            actions={(c) => (
              <>
                <button type="button" class="btn btn-small" aria-expanded={open[c.id] === 'correct' ? 'true' : 'false'} onClick={() => toggle(c, 'correct')} data-testid="certificate-correct">
                  {t('certificates.correct')}
                </button>
                <button type="button" class="btn btn-small" aria-expanded={open[c.id] === 'versions' ? 'true' : 'false'} onClick={() => toggle(c, 'versions')} data-testid="certificate-versions-toggle">
                  {open[c.id] === 'versions' ? t('certificates.hideVersions') : t('certificates.versions')}
                </button>
              </>
            )}
            details={(c) =>
              open[c.id] === 'correct' ? (
                <CorrectionForm
                  certificate={c}
                  onCancel={() => toggle(c, 'correct')}
                  onDone={() => {
                    setOpen((o) => ({ ...o, [c.id]: 'versions' }));
                    list.reload();
                  }}
                />
              ) : open[c.id] === 'versions' ? (
                <Versions key={`${c.id}-${c.version}`} certificate={c} />
              ) : null
            }
          />
        )}
      </div>
    </div>
  );
}

/** A new version with the person's current name (the record is corrected on the person card). */
function CorrectionForm({ certificate: c, onDone, onCancel }) {
  const person = useApi(`/api/staff/persons/${encodeURIComponent(c.personId)}`);
  const form = useForm({ reason: '' }, ['reason', 'holderName']);
  const current = person.data ? fullName(person.data) : null;
  const onSubmit = form.submit(async (v) => {
    const body = v.reason.trim() ? { reason: v.reason.trim() } : {};
    const next = await api(`/api/staff/certificates/${encodeURIComponent(c.id)}/corrections`, { method: 'POST', body });
    toast(t('certificates.corrected', { version: next.version, number: next.number }));
    onDone(next);
  });
  const nameError = form.bind('holderName').error;
  return (
    <form class="form" aria-label={t('certificates.correctTitle', { number: c.number })} onSubmit={onSubmit} noValidate data-testid="correction-form">
      <h3 class="subhead">{t('certificates.correctTitle', { number: c.number })}</h3>
      <p class="muted small">{t('certificates.correctHint')}</p>
      <FormSummary form={form} />
      <dl class="data-list">
        <div class="row">
          <dt>{t('certificates.holderName')}</dt>
          <dd>
            {c.holderName}
            {current !== null && current !== c.holderName && (
              <>
                {' → '}
                <strong data-testid="correction-new-name">{current}</strong>
              </>
            )}
            {nameError && (
              <p class="field-error" data-testid="field-error">
                {nameError}{' '}
                <a href={personHref(c)}>{fullName(person.data) || c.holderName}</a>
              </p>
            )}
          </dd>
        </div>
      </dl>
      <TextField label={t('certificates.correctReason')} {...form.bind('reason')} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={form.busy}>
          {form.busy ? t('common.saving') : t('certificates.correctSubmit')}
        </button>
        <button type="button" class="btn" onClick={onCancel} disabled={form.busy}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Every version of a certificate, oldest first (the same number and code). */
function Versions({ certificate: c }) {
  const res = useApi(`/api/staff/certificates/${encodeURIComponent(c.id)}/versions`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <InlineError error={res.error} onRetry={res.reload} />;
  const versions = res.data || [];
  return (
    <div data-testid="certificate-versions">
      <h3 class="subhead">{t('certificates.versionsTitle', { number: c.number })}</h3>
      <table class="table compact">
        <thead>
          <tr>
            <th scope="col" class="num">
              {t('certificates.version')}
            </th>
            <th scope="col">{t('certificates.holderName')}</th>
            <th scope="col">{t('certificates.issued')}</th>
            <th scope="col">{t('certificates.reason')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('certificates.downloadPdf')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version} data-testid="certificate-version-row">
              <td class="num">
                {v.version}
                {v.version === c.version && <span class="badge badge-ok">{t('certificates.current')}</span>}
              </td>
              <td>{v.holderName}</td>
              <td class="nowrap">{fmtDateTime(v.issuedAt)}</td>
              <td>{v.correctionReason || <span class="muted">—</span>}</td>
              <td>
                <LinkButton path={`/api/staff/certificates/${encodeURIComponent(c.id)}/versions/${v.version}/download`} label={t('certificates.downloadPdf')} testid="certificate-version-download" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The person's certificates (on the person card's "Szkolenia"). */
export function PersonCertificates({ personId }) {
  const res = useApi(`/api/staff/persons/${encodeURIComponent(personId)}/certificates`);
  const items = [...(res.data || [])].sort(byIssuedDesc);
  return (
    <div class="card flush" data-testid="person-certificates">
      <h2 class="card-title pad">{t('certificates.personTitle')}</h2>
      {res.loading && !res.data ? (
        <Loading />
      ) : res.error ? (
        <InlineError error={res.error} onRetry={res.reload} />
      ) : items.length === 0 ? (
        <p class="muted pad">{t('certificates.none')}</p>
      ) : (
        <CertificatesTable items={items} showHolder={false} showTraining showMailed trainingHref={trainingHref} downloadPath={downloadPath} />
      )}
    </div>
  );
}
