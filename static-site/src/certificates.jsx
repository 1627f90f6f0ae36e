// Certificates (zaświadczenia) as the CRM and the extranet show them: one table for a training's,
// a person's, a participant's own and a unit's certificates, and the download of a certificate
// or of a training's ZIP. The API answers a download with `{url, fileName}`: a presigned link
// valid for 5 minutes, so it is fetched on the click, never rendered ahead.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { fmtDate, fmtDateTime } from './format.js';
import { t } from './i18n.js';
import { errorText } from './ui.jsx';

/** Phases in which a training's certificates exist (the API's `is_past_completion`). */
export const CERTIFICATE_PHASES = ['completed', 'settled', 'closed'];

/** Fetch a `{url}` link and let the browser download it (the file carries its own name). */
export async function openLink(path) {
  const link = await api(path);
  window.location.assign(link.url);
  return link;
}

/** A button downloading through a fresh link; the error shows under it. */
export function LinkButton({ path, label, busyLabel, testid, primary, disabled, title }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    setBusy(true);
    setError(null);
    try {
      await openLink(path);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="link-action">
      <button type="button" class={`btn ${primary ? '' : 'btn-small'}`} disabled={busy || disabled} onClick={click} data-testid={testid} title={title}>
        {busy ? busyLabel || t('certificates.downloading') : label || t('certificates.download')}
      </button>
      {error && (
        <span class="field-error block" role="alert">
          {errorText(error)}
        </span>
      )}
    </span>
  );
}

/** "ZAS/000123/2026" ordering: by year, then by the number in the year. */
export function byNumber(a, b) {
  const key = (c) => {
    const m = /^[^/]*\/(\d+)\/(\d+)$/.exec(c.number || '');
    return m ? `${m[2]}/${m[1]}` : String(c.number || '');
  };
  return key(a).localeCompare(key(b));
}

/** Latest issue first (a person's or a participant's own certificates). */
export function byIssuedDesc(a, b) {
  return String(b.firstIssuedAt || b.issuedAt || '').localeCompare(String(a.firstIssuedAt || a.issuedAt || ''));
}

export function certificateDates(c) {
  if (!c.startsOn) return '';
  return !c.endsOn || c.endsOn === c.startsOn ? fmtDate(c.startsOn) : `${fmtDate(c.startsOn)} – ${fmtDate(c.endsOn)}`;
}

/**
 * Certificates as a table. `downloadPath(c)` gives the API path of a certificate's link;
 * `holderHref`/`trainingHref` link the holder/training when given; `actions(c)` adds buttons
 * next to "Pobierz" and `details(c)` an extra row under the certificate (a form, the versions).
 */
export function CertificatesTable({ items, downloadPath, showHolder = true, showTraining = false, showMailed = false, holderHref, trainingHref, actions, details, testid = 'certificates-table' }) {
  const columns = 4 + (showHolder ? 1 : 0) + (showTraining ? 1 : 0) + (showMailed ? 1 : 0);
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testid}>
        <thead>
          <tr>
            <th scope="col">{t('certificates.number')}</th>
            {showHolder && <th scope="col">{t('certificates.holder')}</th>}
            {showTraining && <th scope="col">{t('certificates.training')}</th>}
            <th scope="col" class="num">
              {t('certificates.version')}
            </th>
            <th scope="col">{t('certificates.issued')}</th>
            {showMailed && <th scope="col">{t('certificates.mailed')}</th>}
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const extra = details && details(c);
            return [
              <tr key={c.id} data-certificate={c.id} data-person={c.personId} data-training={c.trainingId} data-testid="certificate-row">
                <td class="nowrap">
                  <strong data-testid="certificate-number">{c.number}</strong>
                  <div class="muted small mono" title={t('certificates.code')}>
                    {c.code}
                  </div>
                </td>
                {showHolder && (
                  <td data-testid="certificate-holder">{holderHref ? <a href={holderHref(c)}>{c.holderName}</a> : c.holderName}</td>
                )}
                {showTraining && (
                  <td data-testid="certificate-training">
                    {trainingHref ? <a href={trainingHref(c)}>{c.trainingTitle}</a> : <strong>{c.trainingTitle}</strong>}
                    <div class="muted small">{certificateDates(c)}</div>
                  </td>
                )}
                <td class="num" data-testid="certificate-version">
                  {c.version}
                </td>
                <td class="nowrap">
                  {fmtDateTime(c.issuedAt)}
                  {c.version > 1 && c.firstIssuedAt && <div class="muted small">{t('certificates.firstIssued', { at: fmtDateTime(c.firstIssuedAt) })}</div>}
                </td>
                {showMailed && (
                  <td class="nowrap" data-testid="certificate-mailed">
                    {c.mailedAt ? t('certificates.mailedAt', { at: fmtDateTime(c.mailedAt) }) : <span class="muted">{t('certificates.notMailed')}</span>}
                  </td>
                )}
                <td class="row-actions">
                  <div class="actions">
                    <LinkButton path={downloadPath(c)} label={t('certificates.downloadPdf')} testid="certificate-download" title={t('certificates.linkHint')} />
                    {actions && actions(c)}
                  </div>
                </td>
              </tr>,
              extra && (
                <tr key={`${c.id}-details`} class="details-row">
                  <td colSpan={columns}>{extra}</td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
