// Public page of the unsubscribe link in newsletters and invitations (#/unsubscribe?token=…):
// no login; it explains what unsubscribing means and does it only on the button, so mail
// scanners that open links unsubscribe nobody. A bad or expired link says so.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { errorText } from '../ui.jsx';

const tu = (key) => t(`mailings.unsub.${key}`);

export function UnsubscribePage({ query, header }) {
  const token = (query.get('token') || '').trim();
  const [state, setState] = useState(token ? 'ready' : 'invalid'); // ready | working | done | already | invalid | error
  const [error, setError] = useState(null);
  const submit = async () => {
    setState('working');
    setError(null);
    try {
      const r = await api('/api/extranet/public/unsubscribe', { method: 'POST', body: { token } });
      setState(r && r.already ? 'already' : 'done');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 404)) setState('invalid');
      else {
        setError(errorText(err));
        setState('ready');
      }
    }
  };
  return (
    <div class="login-wrap">
      {header}
      <main class="login" id="main">
        <section class="card login-card" aria-labelledby="unsub-title" data-testid="unsubscribe-page" data-state={state}>
          <h1 id="unsub-title">{tu('title')}</h1>
          {state === 'invalid' ? (
            <p class="form-summary" role="alert" data-testid="unsubscribe-invalid">
              {tu('invalid')}
            </p>
          ) : state === 'done' || state === 'already' ? (
            <p class="note" role="status" data-testid="unsubscribe-done">
              {tu(state)}
            </p>
          ) : (
            <>
              <p>{tu('intro')}</p>
              {error && (
                <p class="form-summary" role="alert">
                  {error}
                </p>
              )}
              <div class="form-actions">
                <button type="button" class="btn btn-primary btn-block" disabled={state === 'working'} onClick={submit}>
                  {state === 'working' ? tu('working') : tu('button')}
                </button>
              </div>
            </>
          )}
          <p class="small center">
            <a href="#/">{tu('back')}</a>
          </p>
        </section>
        <p class="muted small center">{t('app.org')}</p>
      </main>
    </div>
  );
}
