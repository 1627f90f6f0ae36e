// Public verification of a certificate (#/verify/{code}; the QR code on the PDF leads here):
// no login. It shows the certificate's number, holder, training and dates — all the API
// reveals — or that no certificate has the code. `#/verify` alone is the form to type a code.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { certificateDates } from '../certificates.jsx';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { DataList, errorText, TextField } from '../ui.jsx';

const tv = (key, params) => t(`certificates.verify.${key}`, params);

/** "k7qf 9xmd2pwa" → "K7QF-9XMD-2PWA" (what is printed); anything else is passed on as typed. */
export function normalizeCode(raw) {
  const bare = String(raw || '')
    .toUpperCase()
    .replace(/[\s\-\u2010\u2013]/g, '');
  return bare.length === 12 ? bare.match(/.{4}/g).join('-') : String(raw || '').trim();
}

export function VerifyPage({ code, header }) {
  const [typed, setTyped] = useState(code || '');
  const [formError, setFormError] = useState(null);
  const [state, setState] = useState(code ? { kind: 'checking' } : { kind: 'form' }); // form | checking | valid | not-found | error
  useEffect(() => {
    setTyped(code || '');
    if (!code) {
      setState({ kind: 'form' });
      return undefined;
    }
    const ctrl = new AbortController();
    setState({ kind: 'checking' });
    api(`/api/extranet/public/certificates/verify/${encodeURIComponent(code)}`, { signal: ctrl.signal }).then(
      (view) => setState({ kind: 'valid', view }),
      (err) => {
        if (err.name === 'AbortError') return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setState({ kind: 'not-found' });
        else setState({ kind: 'error', error: err });
      },
    );
    return () => ctrl.abort();
  }, [code]);

  const submit = (e) => {
    e.preventDefault();
    const next = normalizeCode(typed);
    if (!next) {
      setFormError(tv('required'));
      return;
    }
    setFormError(null);
    navigate(`/verify/${encodeURIComponent(next)}`);
  };

  const v = state.view;
  return (
    <div class="login-wrap">
      {header}
      <main class="login" id="main">
        <section class="card login-card" aria-labelledby="verify-title" data-testid="verify-page" data-state={state.kind}>
          <h1 id="verify-title">{tv('title')}</h1>
          {state.kind === 'checking' && (
            <p class="loading" role="status">
              {tv('checking')}
            </p>
          )}
          {state.kind === 'valid' && (
            <div data-testid="verify-valid">
              <p class="note" role="status">
                {tv('valid', { org: t('app.org') })}
              </p>
              <DataList
                rows={[
                  [tv('number'), v.number, 'verify-number'],
                  [tv('holder'), v.holderName, 'verify-holder'],
                  [tv('training'), v.trainingTitle, 'verify-training'],
                  [tv('dates'), certificateDates(v), 'verify-dates'],
                ]}
              />
              <p class="muted small">{tv('checkedCode', { code })}</p>
            </div>
          )}
          {state.kind === 'not-found' && (
            <p class="form-summary" role="alert" data-testid="verify-not-found">
              {tv('notFound')}
            </p>
          )}
          {state.kind === 'error' && (
            <p class="form-summary" role="alert">
              {errorText(state.error)}
            </p>
          )}
          <form class="form" onSubmit={submit} noValidate aria-label={state.kind === 'form' ? tv('title') : tv('another')} data-testid="verify-form">
            {state.kind === 'form' ? <p>{tv('intro')}</p> : <h2 class="subhead">{tv('another')}</h2>}
            <TextField
              label={tv('code')}
              name="code"
              className="verify-code"
              autoComplete="off"
              spellcheck={false}
              placeholder="K7QF-9XMD-2PWA"
              value={typed}
              error={formError}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
            <div class="form-actions">
              <button type="submit" class="btn btn-primary btn-block">
                {tv('submit')}
              </button>
            </div>
          </form>
          <p class="small center">
            <a href="#/">{tv('back')}</a>
          </p>
        </section>
        <p class="muted small center">{t('app.org')}</p>
      </main>
    </div>
  );
}
