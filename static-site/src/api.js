// JSON API client: same-origin /api/staff/* and /api/extranet/*, Bearer ID token,
// errors surfaced as ApiError carrying the server's {error, message:{pl,en}, fields, duplicates}.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getIdToken, logout } from './auth.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
  get kind() {
    if (this.status === 0) return 'network';
    if (this.status === 403) return 'forbidden';
    if (this.status === 404) return 'not_found';
    return this.body.error || 'error';
  }
}

let onUnauthorized = () => {};
/** Called with no arguments after a 401 (the session is already cleared). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export function withQuery(path, query) {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function api(path, { method = 'GET', body, query, signal, sideEffectFree = method === 'GET' } = {}) {
  const token = await getIdToken();
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const url = withQuery(path, query);
  const init = { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined, signal };
  let { res, data } = await send(url, init);
  // A read that failed in the gateway (a function crashed, was being replaced or throttled: a 5xx
  // without our {error} body) is repeated, twice at most, waiting longer each time; writes never
  // are — the server may have applied them. A POST that only computes (a preview sent with its
  // form as the body) says so with `sideEffectFree`.
  for (const delay of GATEWAY_RETRY_DELAYS_MS) {
    if (!sideEffectFree || !isGatewayFailure(res.status, data)) break;
    await sleep(delay, signal);
    ({ res, data } = await send(url, init));
  }
  if (res.status === 401) {
    logout();
    onUnauthorized();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const GATEWAY_RETRY_DELAYS_MS = [400, 1200];

async function send(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  return { res, data };
}

/** A 5xx that did not come from our handlers, which always answer with `{error, message}`. */
export function isGatewayFailure(status, data) {
  return status >= 500 && !(data && typeof data.error === 'string');
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('Aborted', 'AbortError'));
    });
  });
}

/**
 * Download `path` (e.g. a CSV export) with the Bearer token and save it as `filename`: the
 * response becomes a Blob behind a temporary object URL and a clicked `<a download>` (a plain
 * link would carry no Authorization header).
 */
export async function downloadFile(path, filename) {
  const token = await getIdToken();
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { headers });
  } catch {
    throw new ApiError(0, null);
  }
  if (!res.ok) {
    let data = null;
    try {
      data = JSON.parse(await res.text());
    } catch {
      data = null;
    }
    if (res.status === 401) {
      logout();
      onUnauthorized();
    }
    throw new ApiError(res.status, data);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked a little later: some browsers start reading the URL only after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Load `path` (re-loads when it changes); `path` null means "not yet". */
export function useApi(path) {
  const [state, setState] = useState({ data: null, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api(path, { signal: ctrl.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (error) => {
        if (error.name !== 'AbortError') setState({ data: null, error, loading: false });
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((data) => setState((s) => ({ ...s, data })), []);
  return { ...state, reload, setData };
}

/** A paged list: accepts `{items, next}` pages (or a plain array) and appends on `loadMore`. */
export function usePaged(path) {
  const [state, setState] = useState({ items: [], next: null, error: null, loading: !!path, loadingMore: false });
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  useEffect(() => {
    current.current = path;
    if (!path) return undefined;
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api(path, { signal: ctrl.signal }).then(
      (page) => setState({ ...normalizePage(page), error: null, loading: false, loadingMore: false }),
      (error) => {
        if (error.name !== 'AbortError') setState({ items: [], next: null, error, loading: false, loadingMore: false });
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);
  const loadMore = useCallback(() => {
    setState((s) => {
      if (!s.next || s.loadingMore) return s;
      const base = current.current;
      api(withQuery(base, { cursor: s.next })).then(
        (page) => {
          if (current.current !== base) return;
          const p = normalizePage(page);
          setState((s2) => ({ ...s2, items: s2.items.concat(p.items), next: p.next, loadingMore: false }));
        },
        (error) => setState((s2) => ({ ...s2, error, loadingMore: false })),
      );
      return { ...s, loadingMore: true };
    });
  }, []);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, loadMore, reload };
}

export function normalizePage(page) {
  if (Array.isArray(page)) return { items: page, next: null };
  return { items: (page && page.items) || [], next: (page && page.next) || null };
}
