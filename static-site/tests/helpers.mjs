// Helpers for the e-WOKiSS browser tests (node:test + playwright-core + Debian's chromium).
//
// Env:
//   E2E_BASE_URL  the site (e.g. http://127.0.0.1:8080), served by static-site/serve.mjs
//   E2E_USERS     path to a JSON array of demo logins:
//                 [{username, password, email, name, group, unitId, personId, description}]
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
export const RESULTS_DIR = new URL('../test-results/', import.meta.url);

/** Throws (so the test FAILS, not skips) when the environment is missing. */
export function e2eEnv() {
  const base = process.env.E2E_BASE_URL;
  if (!base) {
    throw new Error(
      'E2E_BASE_URL is not set: these browser tests need the running local stack. ' +
        'Run them through scripts/test (which starts the stack and sets E2E_BASE_URL and E2E_USERS).',
    );
  }
  const usersPath = process.env.E2E_USERS;
  if (!usersPath) throw new Error('E2E_USERS is not set: it must name the JSON file with the demo logins.');
  const users = JSON.parse(readFileSync(usersPath, 'utf8'));
  if (!Array.isArray(users) || users.length === 0) throw new Error(`E2E_USERS (${usersPath}) holds no users`);
  return { base: base.replace(/\/+$/, ''), users };
}

/**
 * Register before/after hooks that start and stop Chromium. Returns a getter for
 * {env, browser}; it throws the setup error (e.g. E2E_BASE_URL unset) inside each test,
 * so the tests FAIL with that message instead of being cancelled or skipped.
 */
export function e2eSuite() {
  const state = {};
  before(async () => {
    try {
      state.env = e2eEnv();
      state.browser = await launch();
    } catch (e) {
      state.error = e;
    }
  });
  after(async () => {
    if (state.browser) await state.browser.close();
  });
  return () => {
    if (state.error) throw state.error;
    return state;
  };
}

/** The demo logins by role: one staff, two unit-admins of different units, one participant. */
export function pickUsers(users) {
  const staff = users.find((u) => u.group === 'staff');
  const admins = users.filter((u) => u.group === 'unit-admin');
  const adminA = admins[0];
  const adminB = admins.find((u) => adminA && u.unitId && u.unitId !== adminA.unitId);
  const participant = users.find((u) => u.group === 'participant');
  if (!staff) throw new Error('E2E_USERS has no user with group "staff"');
  if (!adminA || !adminB) throw new Error('E2E_USERS needs two "unit-admin" users of different units (unitId)');
  return { staff, adminA, adminB, participant };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context and page; page errors and failed API calls are collected for diagnostics. */
export async function newPage(browser, { locale = 'pl-PL' } = {}) {
  const context = await browser.newContext({ locale, timezoneId: 'Europe/Warsaw', viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(30_000);
  page.diagnostics = [];
  page.on('pageerror', (e) => page.diagnostics.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.diagnostics.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 500) page.diagnostics.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return { context, page };
}

/** Sign in through the login form and wait for the app header. */
export async function login(page, base, user) {
  await page.goto(`${base}/#/login`);
  await page.getByLabel('E-mail').fill(user.username || user.email);
  await page.getByLabel('Hasło').fill(user.password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.getByTestId('current-user').waitFor({ state: 'visible' });
}

export async function logout(page) {
  await page.getByRole('button', { name: 'Wyloguj' }).click();
  await page.getByRole('button', { name: 'Zaloguj się' }).waitFor();
}

/** Call the API from inside the page with the signed-in user's ID token. */
export async function apiFetch(page, path, { method = 'GET', body } = {}) {
  let answer = await apiFetchOnce(page, path, { method, body });
  // Like the web app (src/api.js): a read the local gateway failed (cargo lambda's own 500,
  // without our {error} body) is repeated, twice at most; our handlers' errors and writes never are.
  for (const delay of [400, 1200]) {
    if (method !== 'GET' || answer.status < 500 || (answer.body && typeof answer.body.error === 'string')) break;
    console.warn(`gateway failure, repeating: GET ${path} → ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    answer = await apiFetchOnce(page, path, { method, body });
  }
  return answer;
}

function apiFetchOnce(page, path, { method, body }) {
  return page.evaluate(
    async ({ path, method, body }) => {
      const s = JSON.parse(sessionStorage.getItem('ewokiss.session') || 'null');
      const headers = { Accept: 'application/json' };
      if (s && s.idToken) headers.Authorization = `Bearer ${s.idToken}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(path, { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined });
      const text = await r.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: r.status, body: json, text };
    },
    { path, method, body },
  );
}

export function items(page) {
  if (Array.isArray(page)) return page;
  return (page && page.items) || [];
}

/** Poll `fn` until it returns a truthy value (or throw after `timeout` ms). */
export async function eventually(fn, { timeout = 20_000, interval = 250, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Wait until `text` shows inside `scope` (a locator), clicking "Więcej" to load further
 * pages of a list while it is not there yet.
 */
export async function findInPagedList(scope, text, { timeout = 30_000 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const hit = scope.getByText(text, { exact: false }).first();
    if (await hit.isVisible().catch(() => false)) return hit;
    if (Date.now() > end) throw new Error(`"${text}" not found in the list`);
    const more = scope.getByRole('button', { name: /^(Więcej|More)$/ });
    if ((await more.isVisible().catch(() => false)) && (await more.isEnabled().catch(() => false))) {
      await more.click().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

export const digits = (s) => String(s || '').replace(/\D/g, '');

const LETTERS = 'abcdefghijklmnoprstuwyz';
/** Random lowercase letters (Polish alphabet without diacritics). */
export function randomLetters(n = 6) {
  let s = '';
  for (let i = 0; i < n; i++) s += LETTERS[Math.floor(Math.random() * LETTERS.length)];
  return s;
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`${name}.png`, RESULTS_DIR);
  await page.screenshot({ path: file.pathname, fullPage: true });
  return file.pathname;
}

/** Attach the page's collected diagnostics to an error message. */
export function withDiagnostics(page, err) {
  if (page && page.diagnostics && page.diagnostics.length) {
    err.message += `\n--- browser diagnostics ---\n${page.diagnostics.slice(-20).join('\n')}`;
  }
  return err;
}
