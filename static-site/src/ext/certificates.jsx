// Extranet certificates: a participant's own ("Moje zaświadczenia" on "Moje szkolenia") and,
// for a unit administrator, the unit's per completed training (`#/ext/certificates?trainingId=`)
// with "Pobierz ZIP". The completed trainings come from the unit's enrolments (each carries its
// training's summary), the certificates of one training from `?trainingId=` when it is opened.
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api.js';
import { byIssuedDesc, byNumber, CERTIFICATE_PHASES, CertificatesTable, LinkButton } from '../certificates.jsx';
import { t } from '../i18n.js';
import { href, navigate } from '../router.js';
import { fetchAll, summaryDatesText, summaryVenueText } from '../trainings-common.jsx';
import { InlineError, Loading } from '../ui.jsx';

const downloadPath = (c) => `/api/extranet/certificates/${encodeURIComponent(c.id)}/download`;

/** The participant's own certificates. */
export function MyCertificates() {
  const res = useApi('/api/extranet/certificates');
  const items = [...(res.data || [])].sort(byIssuedDesc);
  return (
    <div class="card flush" data-testid="my-certificates">
      <h2 class="card-title pad">{t('certificates.mine')}</h2>
      {res.loading && !res.data ? (
        <Loading />
      ) : res.error ? (
        <InlineError error={res.error} onRetry={res.reload} />
      ) : items.length === 0 ? (
        <p class="muted pad">{t('certificates.mineNone')}</p>
      ) : (
        <>
          <p class="muted small pad">{t('certificates.mineIntro')}</p>
          <CertificatesTable items={items} showHolder={false} showTraining downloadPath={downloadPath} />
        </>
      )}
    </div>
  );
}

/** Completed trainings of the unit's enrolments with how many attended, latest first. */
function completedTrainings(enrolments) {
  const byTraining = new Map();
  for (const e of enrolments) {
    const tr = e.training;
    if (!tr || !CERTIFICATE_PHASES.includes(tr.phase) || e.status !== 'attended') continue;
    const entry = byTraining.get(e.trainingId) || { id: e.trainingId, training: tr, attended: 0 };
    entry.attended += 1;
    byTraining.set(e.trainingId, entry);
  }
  return [...byTraining.values()].sort((a, b) => String(b.training.startsOn || '').localeCompare(String(a.training.startsOn || '')));
}

/** A unit administrator's "Zaświadczenia": per completed training, the unit's certificates. */
export function UnitCertificatesPage({ query }) {
  const [trainings, setTrainings] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setError(null);
    fetchAll('/api/extranet/enrolments').then((all) => setTrainings(completedTrainings(all)), setError);
  }, [tick]);
  const wanted = query.get('trainingId');
  const opened = wanted || (trainings && trainings[0] ? trainings[0].id : null);
  const setOpened = (id) => navigate(href('/ext/certificates', { trainingId: id || '' }).slice(1), { replace: true });
  return (
    <section class="page" data-testid="unit-certificates">
      <div class="page-head">
        <div>
          <h1>{t('certificates.unitTitle')}</h1>
          <p class="subtitle">{t('certificates.unitIntro')}</p>
        </div>
      </div>
      {error && <InlineError error={error} onRetry={() => setTick((n) => n + 1)} />}
      {!trainings && !error && <Loading />}
      {trainings && trainings.length === 0 && <p class="muted">{t('certificates.unitNone')}</p>}
      {trainings &&
        trainings.map((x) => (
          <TrainingBlock
            key={x.id}
            entry={x}
            open={opened === x.id}
            onToggle={() => setOpened(opened === x.id ? 'none' : x.id)}
          />
        ))}
    </section>
  );
}

function TrainingBlock({ entry, open, onToggle }) {
  const tr = entry.training;
  return (
    <div class="card flush" data-testid="unit-certificates-training" data-training={entry.id}>
      <div class="card-head pad">
        <div>
          <h2 class="card-title">{tr.title}</h2>
          <p class="muted small">
            {[summaryDatesText(tr), summaryVenueText(tr), t('certificates.attended', { n: entry.attended })].filter(Boolean).join(' · ')}
          </p>
        </div>
        <div class="actions">
          <button type="button" class="btn btn-small" aria-expanded={open ? 'true' : 'false'} onClick={onToggle} data-testid="unit-certificates-toggle">
            {open ? t('certificates.hide') : t('certificates.show')}
          </button>
          <LinkButton path={`/api/extranet/trainings/${encodeURIComponent(entry.id)}/certificates.zip`} label={t('certificates.zip')} busyLabel={t('certificates.zipLoading')} testid="unit-certificates-zip" />
        </div>
      </div>
      {open && <TrainingCertificates trainingId={entry.id} />}
    </div>
  );
}

function TrainingCertificates({ trainingId }) {
  const res = useApi(`/api/extranet/certificates?trainingId=${encodeURIComponent(trainingId)}`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <InlineError error={res.error} onRetry={res.reload} />;
  const items = [...(res.data || [])].sort(byNumber);
  if (!items.length) return <p class="muted pad">{t('certificates.none')}</p>;
  return <CertificatesTable items={items} downloadPath={downloadPath} />;
}
