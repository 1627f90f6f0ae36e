// Cognito sign-in (USER_PASSWORD_AUTH through the /auth/ endpoint named in /config.json),
// tokens in sessionStorage, ID-token claims decoded for display only (the API verifies them).

const SESSION_KEY = 'ewokiss.session';
const listeners = new Set();
let configPromise = null;

export function loadConfig() {
  if (!configPromise) {
    configPromise = fetch('/config.json', { cache: 'no-store' }).then((r) => {
      if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
      return r.json();
    });
    configPromise.catch(() => {
      configPromise = null;
    });
  }
  return configPromise;
}

export class AuthError extends Error {
  /** code: 'bad_credentials' | 'not_confirmed' | 'too_many' | 'challenge' | 'config' | 'failed' */
  constructor(code, detail) {
    super(code);
    this.code = code;
    this.detail = detail;
  }
}

function base64UrlDecode(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function decodeJwt(token) {
  try {
    return JSON.parse(base64UrlDecode(token.split('.')[1]));
  } catch {
    return null;
  }
}

function readSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && s.idToken ? s : null;
  } catch {
    return null;
  }
}

let session = readSession();

function writeSession(next) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  listeners.forEach((fn) => fn(next));
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function getSession() {
  return session;
}

/** The signed-in user as shown in the UI, or null. */
export function currentUser() {
  if (!session) return null;
  const c = decodeJwt(session.idToken) || {};
  const groups = Array.isArray(c['cognito:groups']) ? c['cognito:groups'] : [];
  return {
    sub: c.sub,
    email: c.email,
    name: c.name || [c.given_name, c.family_name].filter(Boolean).join(' ') || c.email || c['cognito:username'],
    groups,
    unitId: c['custom:unit_id'],
    personId: c['custom:person_id'],
    isStaff: groups.includes('staff'),
    isUnitAdmin: groups.includes('unit-admin'),
    isParticipant: groups.includes('participant'),
  };
}

/** Where a user lands after signing in. */
export function homeFor(user) {
  if (!user) return '/login';
  if (user.isStaff) return '/crm/units';
  if (user.isUnitAdmin) return '/ext/unit';
  if (user.isParticipant) return '/ext/me';
  return '/no-role';
}

async function cognito(target, body) {
  let config;
  try {
    config = await loadConfig();
  } catch (e) {
    throw new AuthError('config', e.message);
  }
  let res;
  try {
    res = await fetch(config.cognitoEndpoint || '/auth/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify({ ...body, ClientId: config.cognitoClientId }),
    });
  } catch (e) {
    throw new AuthError('failed', e.message);
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const type = String(data.__type || data.code || '').split('#').pop();
    if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') throw new AuthError('bad_credentials', data.message);
    if (type === 'UserNotConfirmedException' || type === 'PasswordResetRequiredException') throw new AuthError('not_confirmed', data.message);
    if (type === 'TooManyRequestsException' || type === 'LimitExceededException') throw new AuthError('too_many', data.message);
    throw new AuthError('failed', `${res.status} ${type} ${data.message || ''}`.trim());
  }
  return data;
}

function storeResult(result, previousRefresh) {
  const r = result.AuthenticationResult;
  writeSession({
    idToken: r.IdToken,
    accessToken: r.AccessToken,
    refreshToken: r.RefreshToken || previousRefresh,
    expiresAt: Date.now() + (Number(r.ExpiresIn) || 3600) * 1000,
  });
}

export async function login(email, password) {
  // Users are created with their e-mail address, lower-cased, as the username.
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email.trim().toLowerCase(), PASSWORD: password },
  });
  if (!data.AuthenticationResult) throw new AuthError('challenge', data.ChallengeName || 'unknown');
  storeResult(data);
  return currentUser();
}

let refreshing = null;

/** A usable ID token: refreshed (REFRESH_TOKEN_AUTH) shortly before it expires. */
export async function getIdToken() {
  if (!session) return null;
  if (session.expiresAt && Date.now() > session.expiresAt - 60_000 && session.refreshToken) {
    if (!refreshing) {
      const refreshToken = session.refreshToken;
      refreshing = cognito('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      })
        .then((data) => data.AuthenticationResult && storeResult(data, refreshToken))
        .catch(() => {
          /* keep the old token: the API answers 401 and we go back to sign-in */
        })
        .finally(() => {
          refreshing = null;
        });
    }
    await refreshing;
  }
  return session ? session.idToken : null;
}

export function logout() {
  writeSession(null);
}
