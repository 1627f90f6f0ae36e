// e-WOKiSS web app: sign-in, header (navigation, search, PL/EN, user), routes for the staff
// CRM (#/crm/...) and the extranet (#/ext/...).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './styles.css';
import { ApiError, setUnauthorizedHandler, useApi } from './api.js';
import { AuthError, currentUser, getSession, homeFor, loadConfig, login, logout, onSessionChange } from './auth.js';
import { AddEmployeePage, EmployeesPage, ExtPersonPage, MyDataPage, MyUnitPage } from './ext/pages.jsx';
import { LANGS, setLang, t, useLang } from './i18n.js';
import { match, navigate, useRoute } from './router.js';
import { PersonCard } from './staff/person.jsx';
import { GlobalSearch } from './staff/search.jsx';
import { MailingCard, MailingEdit, MailingNew, MailingsPage, SuppressionsPage } from './staff/mailings.jsx';
import { TasksPage } from './staff/tasks.jsx';
import { TemplatesPage } from './staff/templates.jsx';
import { DocumentTemplatesPage } from './staff/documents.jsx';
import { TrainingCard, TrainingNew, TrainingsList } from './staff/trainings.jsx';
import { ExtEnrolmentsPage, ExtTrainingPage, ExtTrainingsPage } from './ext/trainings.jsx';
import { UnitCard, UnitNew, UnitsList } from './staff/units.jsx';
import { BillingRunPage, ContractCard, ContractNew, ContractsList, DocumentCard, DocumentsPage, ExportsPage, TrainingSettlePage } from './staff/billing.jsx';
import { ExtSettlementPage, ExtSettlementsPage } from './ext/billing.jsx';
import { UnsubscribePage } from './ext/unsubscribe.jsx';
import { VerifyPage } from './ext/verify.jsx';
import { UnitCertificatesPage } from './ext/certificates.jsx';
import { InboundList, InboundMessage } from './staff/inbound.jsx';
import { clearToasts, ErrorView, Loading, TextField, Toasts } from './ui.jsx';

const RETURN_KEY = 'ewokiss.returnTo';
let flash = null; // 'expired' after a 401

setUnauthorizedHandler(() => {
  flash = 'expired';
  const full = location.hash.replace(/^#/, '');
  if (full && full !== '/login') sessionStorage.setItem(RETURN_KEY, full);
  navigate('/login', { replace: true });
});

function useSession() {
  const [s, setS] = useState(getSession());
  useEffect(
    () =>
      onSessionChange((next) => {
        if (!next) clearToasts();
        setS(next);
      }),
    [],
  );
  return s;
}

function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function LangSwitch() {
  const lang = useLang();
  return (
    <div class="lang" role="group" aria-label={t('lang.label')}>
      {LANGS.map((l) => (
        <button key={l} type="button" class={l === lang ? 'active' : ''} aria-pressed={l === lang ? 'true' : 'false'} title={t(`lang.${l}Name`)} onClick={() => setLang(l)} data-testid={`lang-${l}`}>
          {t(`lang.${l}`)}
        </button>
      ))}
    </div>
  );
}

function Brand({ sub }) {
  return (
    <a class="brand" href="#/">
      <span class="brand-name">e-WOKiSS</span>
      {sub && <span class="brand-sub">{sub}</span>}
    </a>
  );
}

function PublicHeader() {
  return (
    <header class="login-top">
      <Brand />
      <LangSwitch />
    </header>
  );
}

/* ---------- sign-in ---------- */

function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(flash ? t('auth.expired') : null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    flash = null;
    loadConfig().catch(() => setError(t('auth.config')));
  }, []);
  const onSubmit = async (e) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError(t('auth.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await login(email.trim(), password);
      const back = sessionStorage.getItem(RETURN_KEY);
      sessionStorage.removeItem(RETURN_KEY);
      const home = homeFor(user);
      const okBack = back && ((back.startsWith('/crm') && user.isStaff) || (back.startsWith('/ext') && !user.isStaff));
      navigate(okBack ? back : home, { replace: true });
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'failed';
      const key = { bad_credentials: 'auth.badCredentials', not_confirmed: 'auth.notConfirmed', too_many: 'auth.tooMany', config: 'auth.config', challenge: 'auth.challenge' }[code] || 'auth.failed';
      setError(t(key, { name: err.detail }));
      setBusy(false);
    }
  };
  return (
    <div class="login-wrap">
      <PublicHeader />
      <main class="login" id="main">
        <form class="card form login-card" aria-label={t('auth.title')} onSubmit={onSubmit} noValidate>
          <h1>{t('auth.title')}</h1>
          <p class="muted">{t('auth.intro')}</p>
          {error && (
            <div class="form-summary" role="alert" data-testid="login-error">
              {error}
            </div>
          )}
          <TextField label={t('auth.email')} type="email" name="email" autoComplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <TextField label={t('auth.password')} type="password" name="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
              {busy ? t('auth.submitting') : t('auth.submit')}
            </button>
          </div>
        </form>
        <p class="muted small center">{t('app.org')}</p>
      </main>
    </div>
  );
}

/* ---------- shell ---------- */

function NavLink({ to, active, children }) {
  return (
    <a href={`#${to}`} class={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

function Header({ user, me, path }) {
  const items = [];
  if (user.isStaff) {
    items.push(['/crm/units', t('nav.units'), path.startsWith('/crm/units') || path.startsWith('/crm/persons')]);
    items.push(['/crm/trainings', t('training.nav'), path.startsWith('/crm/trainings')]);
    items.push(['/crm/mailings', t('mailings.nav'), path.startsWith('/crm/mailings')]);
    items.push(['/crm/billing/contracts', t('billing.nav'), path.startsWith('/crm/billing')]);
    items.push(['/crm/tasks', t('nav.tasks'), path.startsWith('/crm/tasks')]);
    items.push(['/crm/inbound', t('inbound.nav'), path.startsWith('/crm/inbound')]);
    items.push(['/crm/templates', t('templates.nav'), path.startsWith('/crm/templates')]);
    items.push(['/crm/document-templates', t('documents.nav'), path.startsWith('/crm/document-templates')]);
  } else if (user.isUnitAdmin) {
    items.push(['/ext/unit', t('nav.myUnit'), path === '/ext/unit']);
    items.push(['/ext/persons', t('nav.employees'), path.startsWith('/ext/persons') && path !== '/ext/persons/new']);
    items.push(['/ext/persons/new', t('nav.addEmployee'), path === '/ext/persons/new']);
    items.push(['/ext/trainings', t('training.nav'), path.startsWith('/ext/trainings')]);
    items.push(['/ext/enrolments', t('training.enrolmentsTitle'), path === '/ext/enrolments']);
    items.push(['/ext/settlements', t('billing.nav'), path.startsWith('/ext/settlements')]);
    items.push(['/ext/certificates', t('certificates.nav'), path === '/ext/certificates']);
    if (me && me.person) items.push(['/ext/me', t('nav.myData'), path === '/ext/me']);
  } else if (user.isParticipant) {
    items.push(['/ext/trainings', t('training.nav'), path.startsWith('/ext/trainings')]);
    items.push(['/ext/enrolments', t('training.myTrainings'), path === '/ext/enrolments']);
    items.push(['/ext/me', t('nav.myData'), path === '/ext/me']);
  }
  const role = user.isStaff ? 'staff' : user.isUnitAdmin ? 'unit-admin' : user.isParticipant ? 'participant' : null;
  const unitName = me && me.unit ? me.unit.name : null;
  return (
    <header class="app-header">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skip')}
      </a>
      <div class="header-row">
        <Brand sub={user.isStaff ? t('app.staff') : t('app.extranet')} />
        {user.isStaff && <GlobalSearch />}
        <div class="header-right">
          <LangSwitch />
          <div class="user" aria-label={t('auth.user')} data-testid="current-user">
            <span class="user-name">{user.name}</span>
            <span class="user-meta">{[role && t(`auth.roles.${role}`), unitName].filter(Boolean).join(' · ')}</span>
          </div>
          <button
            type="button"
            class="btn btn-quiet btn-on-dark"
            onClick={() => {
              logout();
              navigate('/login', { replace: true });
            }}
          >
            {t('auth.logout')}
          </button>
        </div>
      </div>
      {items.length > 0 && (
        <nav class="main-nav" aria-label={t('nav.main')}>
          {items.map(([to, label, active]) => (
            <NavLink key={to} to={to} active={active}>
              {label}
            </NavLink>
          ))}
        </nav>
      )}
    </header>
  );
}

const forbidden = new ApiError(403, null);
const notFound = new ApiError(404, null);

function StaffRoutes({ route }) {
  const { path, query } = route;
  let m;
  if (path === '/crm' || path === '/crm/') return <Redirect to="/crm/units" />;
  if (path === '/crm/units') return <UnitsList query={query} />;
  if (path === '/crm/units/new') return <UnitNew />;
  if ((m = match('/crm/units/:id', path))) return <UnitCard key={m.id} id={m.id} query={query} />;
  if ((m = match('/crm/persons/:id', path))) return <PersonCard key={m.id} id={m.id} query={query} />;
  if (path === '/crm/tasks') return <TasksPage query={query} />;
  if (path === '/crm/templates') return <TemplatesPage />;
  if ((m = match('/crm/templates/:kind', path))) return <TemplatesPage kind={m.kind} />;
  if (path === '/crm/document-templates') return <DocumentTemplatesPage query={query} />;
  if ((m = match('/crm/document-templates/:kind', path))) return <DocumentTemplatesPage kind={m.kind} query={query} />;
  if (path === '/crm/trainings') return <TrainingsList query={query} />;
  if (path === '/crm/trainings/new') return <TrainingNew />;
  if ((m = match('/crm/trainings/:id', path))) return <TrainingCard key={m.id} id={m.id} query={query} />;
  if (path === '/crm/mailings') return <MailingsPage />;
  if (path === '/crm/mailings/new') return <MailingNew key={query.get('trainingId') || ''} query={query} />;
  if (path === '/crm/mailings/suppressions') return <SuppressionsPage />;
  if ((m = match('/crm/mailings/:id', path))) return <MailingCard key={m.id} id={m.id} />;
  if ((m = match('/crm/mailings/:id/edit', path))) return <MailingEdit key={m.id} id={m.id} />;
  if (path === '/crm/billing' || path === '/crm/billing/') return <Redirect to="/crm/billing/contracts" />;
  if (path === '/crm/billing/contracts') return <ContractsList query={query} />;
  if (path === '/crm/billing/contracts/new') return <ContractNew key={query.get('unitId') || ''} query={query} />;
  if ((m = match('/crm/billing/contracts/:id', path))) return <ContractCard key={m.id} id={m.id} />;
  if (path === '/crm/billing/run') return <BillingRunPage query={query} />;
  if (path === '/crm/billing/trainings') return <TrainingSettlePage query={query} />;
  if (path === '/crm/billing/documents') return <DocumentsPage query={query} />;
  if ((m = match('/crm/billing/documents/:id', path))) return <DocumentCard key={m.id} id={m.id} />;
  if (path === '/crm/billing/exports') return <ExportsPage />;
  if (path === '/crm/inbound') return <InboundList query={query} />;
  if ((m = match('/crm/inbound/:id', path))) return <InboundMessage key={m.id} id={m.id} />;
  return <ErrorView error={notFound} />;
}

function ExtRoutes({ route, user, me }) {
  const { path, query } = route;
  let m;
  if (me.loading && !me.data) return <Loading />;
  if (me.error) return <ErrorView error={me.error} />;
  const data = me.data;
  if (!data) return <Loading />;
  if (path === '/ext' || path === '/ext/') return <Redirect to={homeFor(user)} />;
  if (path === '/ext/me') return <MyDataPage me={data} onChanged={me.reload} />;
  if (path === '/ext/trainings') return <ExtTrainingsPage />;
  if ((m = match('/ext/trainings/:id', path))) return <ExtTrainingPage key={m.id} id={m.id} me={data} user={user} />;
  if (path === '/ext/enrolments') return <ExtEnrolmentsPage me={data} user={user} />;
  if (!user.isUnitAdmin) return <ErrorView error={forbidden} />;
  if (path === '/ext/unit') return <MyUnitPage me={data} />;
  if (path === '/ext/persons') return <EmployeesPage me={data} query={query} />;
  if (path === '/ext/persons/new') return <AddEmployeePage me={data} />;
  if ((m = match('/ext/persons/:id', path))) return <ExtPersonPage key={m.id} me={data} id={m.id} />;
  if (path === '/ext/settlements') return <ExtSettlementsPage />;
  if ((m = match('/ext/settlements/:id', path))) return <ExtSettlementPage key={m.id} id={m.id} />;
  if (path === '/ext/certificates') return <UnitCertificatesPage query={query} />;
  return <ErrorView error={notFound} />;
}

function Shell({ user, route }) {
  const isExt = !user.isStaff && (user.isUnitAdmin || user.isParticipant);
  const me = useApi(isExt ? '/api/extranet/me' : null);
  // Staff: GET /api/staff/me once per sign-in registers the user in the staff directory
  // (task assignees); the answer itself is not needed.
  useApi(user.isStaff ? '/api/staff/me' : null);
  const main = useRef(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (main.current && !main.current.contains(document.activeElement)) main.current.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [route.path]);

  const { path } = route;
  let content;
  if (path === '/' || path === '/login' || path === '') content = <Redirect to={homeFor(user)} />;
  else if (path === '/no-role' || homeFor(user) === '/no-role') content = <p class="note">{t('auth.noRole')}</p>;
  else if (path.startsWith('/crm')) content = user.isStaff ? <StaffRoutes route={route} /> : <ErrorView error={forbidden} />;
  else if (path.startsWith('/ext')) content = isExt ? <ExtRoutes route={route} user={user} me={me} /> : <ErrorView error={forbidden} />;
  else content = <ErrorView error={notFound} />;

  return (
    <div class="app">
      <Header user={user} me={me.data} path={path} />
      <main id="main" ref={main} tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

function App() {
  useLang();
  const session = useSession();
  const route = useRoute();
  const user = session ? currentUser() : null;
  // Pages reached from e-mails (and a certificate's QR code) without signing in.
  const verify = route.path === '/verify' ? {} : match('/verify/:code', route.path);
  const isPublic = route.path === '/unsubscribe' || !!verify;
  useEffect(() => {
    if (!user && !isPublic && route.path !== '/login') {
      if (route.full && route.full !== '/' && route.full !== '/login') sessionStorage.setItem(RETURN_KEY, route.full);
      navigate('/login', { replace: true });
    }
  }, [user, route.path]);
  return (
    <>
      {verify ? <VerifyPage code={verify.code} header={<PublicHeader />} /> : isPublic ? <UnsubscribePage key={route.full} query={route.query} header={<PublicHeader />} /> : user ? <Shell key={user.sub || user.email} user={user} route={route} /> : <LoginPage />}
      <Toasts />
    </>
  );
}

render(<App />, document.getElementById('app'));
