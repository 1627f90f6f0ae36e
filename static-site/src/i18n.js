// All user-facing strings of e-WOKiSS: Polish first, English second.
// Keys are dotted paths into `dict[lang]`; `t('nav.units')`, `t('person.leftSince', { date })`.
// Nomenclature (see DESIGN.md): jednostka, gmina, powiat, osoba, uczestnik, szkolenie —
// never "kontrahent".
import { useEffect, useState } from 'preact/hooks';
import { trainingEn, trainingPl } from './i18n-training.js';
import { templatesEn, templatesPl } from './i18n-templates.js';
import { documentsEn, documentsPl } from './i18n-documents.js';
import { inboundEn, inboundPl } from './i18n-inbound.js';
import { billingEn, billingPl } from './i18n-billing.js';
import { mailingsEn, mailingsPl } from './i18n-mailings.js';
import { certificatesEn, certificatesPl } from './i18n-certificates.js';

const STORAGE_KEY = 'ewokiss.lang';
export const LANGS = ['pl', 'en'];

const dict = {
  pl: {
    app: {
      name: 'e-WOKiSS',
      staff: 'CRM WOKiSS',
      extranet: 'Extranet dla jednostek',
      org: 'Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych',
      skip: 'Przejdź do treści',
    },
    lang: { label: 'Język interfejsu', pl: 'PL', en: 'EN', plName: 'polski', enName: 'angielski' },
    nav: {
      main: 'Nawigacja główna',
      units: 'Jednostki',
      tasks: 'Zadania',
      myUnit: 'Moja jednostka',
      employees: 'Pracownicy',
      addEmployee: 'Dodaj pracownika',
      myData: 'Moje dane',
    },
    auth: {
      title: 'Logowanie',
      intro: 'CRM i extranet dla jednostek samorządu terytorialnego zrzeszonych w WOKiSS.',
      email: 'E-mail',
      password: 'Hasło',
      submit: 'Zaloguj się',
      submitting: 'Logowanie…',
      logout: 'Wyloguj',
      badCredentials: 'Nieprawidłowy e-mail lub hasło.',
      notConfirmed: 'Konto nie zostało jeszcze potwierdzone. Skontaktuj się z biurem WOKiSS.',
      tooMany: 'Zbyt wiele prób logowania. Spróbuj ponownie za kilka minut.',
      challenge: 'Konto wymaga dodatkowego kroku logowania ({name}). Skontaktuj się z biurem WOKiSS.',
      failed: 'Nie udało się zalogować. Spróbuj ponownie później.',
      config: 'Nie udało się wczytać konfiguracji aplikacji (config.json).',
      required: 'Podaj e-mail i hasło.',
      expired: 'Sesja wygasła — zaloguj się ponownie.',
      noRole: 'Twoje konto nie ma przypisanej roli w e-WOKiSS. Skontaktuj się z biurem WOKiSS.',
      user: 'Zalogowany użytkownik',
      roles: { staff: 'pracownik WOKiSS', 'unit-admin': 'administrator jednostki', participant: 'uczestnik' },
    },
    common: {
      save: 'Zapisz',
      saving: 'Zapisywanie…',
      cancel: 'Anuluj',
      edit: 'Edytuj',
      add: 'Dodaj',
      more: 'Więcej',
      loading: 'Wczytywanie…',
      none: '—',
      yes: 'tak',
      no: 'nie',
      close: 'Zamknij',
      saved: 'Zapisano zmiany.',
      empty: 'Brak pozycji.',
      all: 'wszystkie',
      required: 'To pole jest wymagane.',
      invalidEmail: 'Nieprawidłowy adres e-mail.',
      fixErrors: 'Popraw zaznaczone pola.',
      retry: 'Spróbuj ponownie',
      home: 'Strona główna',
      optional: 'opcjonalnie',
      notifications: 'Powiadomienia',
    },
    error: {
      forbidden: 'Brak dostępu',
      forbiddenText: 'Nie masz uprawnień do tych danych.',
      notFound: 'Nie znaleziono',
      notFoundText: 'Nie znaleziono strony ani rekordu, którego szukasz.',
      generic: 'Wystąpił błąd (HTTP {status}).',
      network: 'Brak połączenia z serwerem. Sprawdź połączenie i spróbuj ponownie.',
      conflict: 'Rekord został w międzyczasie zmieniony przez inną osobę. Odśwież stronę i wprowadź zmiany ponownie.',
      title: 'Błąd',
    },
    dup: {
      title: 'Ta osoba może już być w bazie',
      email: 'Ten adres e-mail ma już osoba:',
      name: 'Osoba o tym samym imieniu i nazwisku już istnieje:',
      emailHint: 'Adresu e-mail nie można użyć drugi raz — popraw go albo otwórz istniejący rekord.',
      nameHint: 'Jeśli to inna osoba o tym samym imieniu i nazwisku, zapisz mimo to.',
      saveAnyway: 'Zapisz mimo to',
    },
    unitKind: {
      gmina_miejska: 'gmina miejska',
      gmina_wiejska: 'gmina wiejska',
      gmina_miejsko_wiejska: 'gmina miejsko-wiejska',
      powiat: 'powiat',
      miasto_na_prawach_powiatu: 'miasto na prawach powiatu',
      jednostka_organizacyjna: 'jednostka organizacyjna',
      inna: 'inna',
    },
    unit: {
      name: 'Nazwa',
      kind: 'Rodzaj',
      teryt: 'TERYT',
      nip: 'NIP',
      regon: 'REGON',
      address: 'Adres',
      street: 'Ulica i numer',
      postalCode: 'Kod pocztowy',
      city: 'Miejscowość',
      email: 'E-mail',
      phone: 'Telefon',
      parent: 'Jednostka nadrzędna',
      powiat: 'Powiat',
      membership: 'Członkostwo',
      memberSince: 'Członek od',
      memberUntil: 'Członek do',
      member: 'członek WOKiSS',
      memberFrom: 'członek WOKiSS od {date}',
      memberEnded: 'członkostwo zakończone {date}',
      notMember: 'nie jest członkiem',
      segments: 'Segmenty',
      notes: 'Uwagi',
      data: 'Dane jednostki',
      new: 'Nowa jednostka',
      editTitle: 'Edycja danych jednostki',
      created: 'Dodano jednostkę.',
      saved: 'Zapisano dane jednostki.',
      clearParent: 'usuń',
      latitude: 'Szerokość geogr.',
      longitude: 'Długość geogr.',
      latitudeHint: 'Siedziba jednostki w stopniach, np. 52,4064 — do kryterium odległości przy zaproszeniach na szkolenia.',
      longitudeHint: 'np. 16,9252; oba pola puste = brak współrzędnych.',
      coordinates: 'Współrzędne siedziby',
      showOnMap: 'pokaż na mapie (OpenStreetMap)',
    },
    units: {
      title: 'Jednostki',
      filters: 'Filtry',
      kind: 'Rodzaj',
      powiat: 'Powiat',
      member: 'Członkostwo',
      any: 'wszystkie',
      anyPowiat: 'wszystkie powiaty',
      members: 'członkowie',
      nonMembers: 'niebędące członkami',
      add: 'Dodaj jednostkę',
      empty: 'Brak jednostek spełniających kryteria.',
      count: 'Wyświetlono: {n}',
    },
    tab: {
      label: 'Sekcje karty',
      persons: 'Osoby',
      children: 'Jednostki podległe',
      trainings: 'Szkolenia',
      history: 'Historia kontaktu',
      tasks: 'Zadania',
      audit: 'Historia zmian',
      employments: 'Historia zatrudnienia',
    },
    person: {
      firstName: 'Imię',
      lastName: 'Nazwisko',
      name: 'Imię i nazwisko',
      position: 'Stanowisko',
      email: 'E-mail',
      phone: 'Telefon',
      unit: 'Jednostka',
      status: 'Status',
      active: 'pracuje',
      left: 'nie pracuje',
      leftSince: 'nie pracuje od {date}',
      data: 'Dane osoby',
      add: 'Dodaj osobę',
      addTitle: 'Nowa osoba w jednostce',
      added: 'Dodano osobę: {name}.',
      edit: 'Edytuj',
      editTitle: 'Edycja danych osoby',
      saved: 'Zapisano dane osoby.',
      showLeft: 'pokaż byłych pracowników',
      empty: 'Brak osób.',
      leaveF: 'Oznacz jako odchodzącą',
      leaveM: 'Oznacz jako odchodzącego',
      leaveTitle: 'Odejście z jednostki',
      leaveOn: 'Data odejścia',
      leaveConfirm: 'Potwierdź odejście',
      leaveDone: 'Zapisano odejście z jednostki.',
      move: 'Przenieś do innej jednostki',
      moveTitle: 'Przeniesienie',
      moveTo: 'Nowa jednostka',
      newPosition: 'Stanowisko w nowej jednostce',
      moveSubmit: 'Przenieś',
      moved: 'Przeniesiono do jednostki: {unit}.',
      chooseUnit: 'Wybierz jednostkę.',
    },
    employment: { unit: 'Jednostka', from: 'Od', until: 'Do', position: 'Stanowisko', current: 'obecnie', empty: 'Brak historii zatrudnienia.' },
    history: {
      addTitle: 'Dodaj notatkę / rozmowę / spotkanie',
      kind: 'Rodzaj wpisu',
      subject: 'Temat',
      body: 'Treść',
      persons: 'Dotyczy osób',
      submit: 'Dodaj wpis',
      empty: 'Brak wpisów w historii kontaktu.',
      added: 'Dodano wpis do historii kontaktu.',
      links: 'Powiązania',
    },
    eventKind: {
      note: 'notatka',
      call: 'rozmowa telefoniczna',
      meeting: 'spotkanie',
      email: 'e-mail',
      audit: 'zmiana danych',
      email_sent: 'wysłano e-mail',
      email_delivered: 'e-mail doręczony',
      email_bounced: 'e-mail odrzucony',
      email_complaint: 'zgłoszenie spamu',
      email_opened: 'e-mail otwarty',
      email_clicked: 'kliknięcie w e-mailu',
      email_inbound: 'e-mail przychodzący',
      enrolment: 'zapis na szkolenie',
      enrolment_cancelled: 'rezygnacja ze szkolenia',
      attendance: 'udział w szkoleniu',
      training: 'szkolenie',
      document: 'dokument',
      other: 'zdarzenie',
    },
    linkKind: {
      unit: 'jednostka',
      person: 'osoba',
      training: 'szkolenie',
      mailing: 'wysyłka',
      settlement: 'rozliczenie',
      task: 'zadanie',
      inbound_mail: 'wiadomość przychodząca',
      document: 'dokument',
    },
    audit: {
      at: 'Kiedy',
      actor: 'Kto',
      action: 'Operacja',
      changes: 'Zmiany',
      empty: 'Brak zarejestrowanych zmian.',
      actions: { create: 'utworzenie', update: 'zmiana danych', leave: 'odejście', move: 'przeniesienie' },
    },
    task: {
      title: 'Tytuł',
      description: 'Opis',
      dueOn: 'Termin',
      assignee: 'Przypisane do',
      status: 'Status',
      links: 'Dotyczy',
      createdBy: 'Utworzył(a)',
      statuses: { open: 'otwarte', done: 'wykonane', cancelled: 'anulowane' },
      overdue: 'po terminie',
    },
    tasks: {
      title: 'Zadania',
      assignee: 'Przypisane',
      mine: 'do mnie',
      everyone: 'wszystkie',
      status: 'Status',
      statusOpen: 'otwarte',
      statusDone: 'wykonane',
      statusAll: 'wszystkie',
      add: 'Dodaj zadanie',
      addTitle: 'Nowe zadanie',
      markDone: 'Oznacz jako wykonane',
      reopen: 'Otwórz ponownie',
      empty: 'Brak zadań.',
      added: 'Dodano zadanie.',
      updated: 'Zaktualizowano zadanie.',
      me: 'mnie ({name})',
      nobody: 'nikogo (nieprzypisane)',
    },
    search: {
      label: 'Szukaj jednostek i osób',
      placeholder: 'Szukaj jednostki lub osoby…',
      none: 'Nic nie znaleziono.',
      min: 'Wpisz co najmniej 2 znaki.',
      units: 'Jednostki',
      persons: 'Osoby',
      searching: 'Szukam…',
    },
    picker: {
      placeholder: 'Wpisz nazwę jednostki…',
      selected: 'Wybrano: {name}',
      change: 'zmień',
    },
    ext: {
      myUnit: 'Moja jednostka',
      subUnits: 'Jednostki podległe',
      noSubUnits: 'Brak jednostek podległych.',
      readOnly: 'Dane jednostki prowadzi biuro WOKiSS. O zmianach poinformuj swojego opiekuna w WOKiSS.',
      employees: 'Pracownicy',
      showFormer: 'pokaż byłych pracowników',
      unit: 'Jednostka',
      allUnits: 'wszystkie moje jednostki',
      addEmployee: 'Dodaj pracownika',
      addTitle: 'Nowy pracownik',
      moveToSub: 'Przenieś do jednostki podległej',
      noSubToMove: 'Brak innych jednostek, do których można przenieść tę osobę.',
      myData: 'Moje dane',
      noPerson: 'Twoje konto nie jest powiązane z rekordem osoby. Skontaktuj się z administratorem swojej jednostki.',
      editTitle: 'Zmiana danych',
    },
  },

  en: {
    app: {
      name: 'e-WOKiSS',
      staff: 'WOKiSS CRM',
      extranet: 'Extranet for member units',
      org: 'Wielkopolska Centre for Local Government Training and Studies',
      skip: 'Skip to content',
    },
    lang: { label: 'Interface language', pl: 'PL', en: 'EN', plName: 'Polish', enName: 'English' },
    nav: {
      main: 'Main navigation',
      units: 'Units',
      tasks: 'Tasks',
      myUnit: 'My unit',
      employees: 'Employees',
      addEmployee: 'Add employee',
      myData: 'My details',
    },
    auth: {
      title: 'Sign in',
      intro: 'CRM and extranet for the local governments associated in WOKiSS.',
      email: 'E-mail',
      password: 'Password',
      submit: 'Sign in',
      submitting: 'Signing in…',
      logout: 'Log out',
      badCredentials: 'Incorrect e-mail or password.',
      notConfirmed: 'The account has not been confirmed yet. Please contact the WOKiSS office.',
      tooMany: 'Too many sign-in attempts. Try again in a few minutes.',
      challenge: 'The account requires an extra sign-in step ({name}). Please contact the WOKiSS office.',
      failed: 'Sign-in failed. Please try again later.',
      config: 'Could not load the application configuration (config.json).',
      required: 'Enter your e-mail and password.',
      expired: 'Your session has expired — please sign in again.',
      noRole: 'Your account has no role in e-WOKiSS. Please contact the WOKiSS office.',
      user: 'Signed-in user',
      roles: { staff: 'WOKiSS staff', 'unit-admin': 'unit administrator', participant: 'participant' },
    },
    common: {
      save: 'Save',
      saving: 'Saving…',
      cancel: 'Cancel',
      edit: 'Edit',
      add: 'Add',
      more: 'More',
      loading: 'Loading…',
      none: '—',
      yes: 'yes',
      no: 'no',
      close: 'Close',
      saved: 'Changes saved.',
      empty: 'Nothing here.',
      all: 'all',
      required: 'This field is required.',
      invalidEmail: 'Invalid e-mail address.',
      fixErrors: 'Please correct the highlighted fields.',
      retry: 'Try again',
      home: 'Home',
      optional: 'optional',
      notifications: 'Notifications',
    },
    error: {
      forbidden: 'Access denied',
      forbiddenText: 'You are not allowed to see this data.',
      notFound: 'Not found',
      notFoundText: 'The page or record you are looking for does not exist.',
      generic: 'Something went wrong (HTTP {status}).',
      network: 'Cannot reach the server. Check your connection and try again.',
      conflict: 'Someone else changed this record in the meantime. Reload the page and make your changes again.',
      title: 'Error',
    },
    dup: {
      title: 'This person may already be on record',
      email: 'This e-mail address belongs to:',
      name: 'A person with the same first and last name already exists:',
      emailHint: 'An e-mail address cannot be used twice — correct it or open the existing record.',
      nameHint: 'If this is a different person with the same name, save anyway.',
      saveAnyway: 'Save anyway',
    },
    unitKind: {
      gmina_miejska: 'urban gmina',
      gmina_wiejska: 'rural gmina',
      gmina_miejsko_wiejska: 'urban-rural gmina',
      powiat: 'powiat (county)',
      miasto_na_prawach_powiatu: 'city with powiat rights',
      jednostka_organizacyjna: 'organisational unit',
      inna: 'other',
    },
    unit: {
      name: 'Name',
      kind: 'Type',
      teryt: 'TERYT',
      nip: 'NIP (tax id)',
      regon: 'REGON',
      address: 'Address',
      street: 'Street and number',
      postalCode: 'Postal code',
      city: 'City',
      email: 'E-mail',
      phone: 'Phone',
      parent: 'Parent unit',
      powiat: 'Powiat',
      membership: 'Membership',
      memberSince: 'Member since',
      memberUntil: 'Member until',
      member: 'WOKiSS member',
      memberFrom: 'WOKiSS member since {date}',
      memberEnded: 'membership ended {date}',
      notMember: 'not a member',
      segments: 'Segments',
      notes: 'Notes',
      data: 'Unit details',
      new: 'New unit',
      editTitle: 'Edit unit details',
      created: 'Unit added.',
      saved: 'Unit details saved.',
      clearParent: 'remove',
      latitude: 'Latitude',
      longitude: 'Longitude',
      latitudeHint: "The unit's office in degrees, e.g. 52.4064 — for the distance criterion of training invitations.",
      longitudeHint: 'e.g. 16.9252; both empty = no coordinates.',
      coordinates: 'Office coordinates',
      showOnMap: 'show on map (OpenStreetMap)',
    },
    units: {
      title: 'Units',
      filters: 'Filters',
      kind: 'Type',
      powiat: 'Powiat',
      member: 'Membership',
      any: 'all',
      anyPowiat: 'all powiaty',
      members: 'members',
      nonMembers: 'non-members',
      add: 'Add unit',
      empty: 'No units match the filters.',
      count: 'Shown: {n}',
    },
    tab: {
      label: 'Card sections',
      persons: 'People',
      children: 'Subordinate units',
      trainings: 'Trainings',
      history: 'Contact history',
      tasks: 'Tasks',
      audit: 'Change log',
      employments: 'Employment history',
    },
    person: {
      firstName: 'First name',
      lastName: 'Last name',
      name: 'Name',
      position: 'Position',
      email: 'E-mail',
      phone: 'Phone',
      unit: 'Unit',
      status: 'Status',
      active: 'employed',
      left: 'left',
      leftSince: 'left on {date}',
      data: 'Person details',
      add: 'Add person',
      addTitle: 'New person in this unit',
      added: 'Person added: {name}.',
      edit: 'Edit',
      editTitle: 'Edit person details',
      saved: 'Person details saved.',
      showLeft: 'show former employees',
      empty: 'No people.',
      leaveF: 'Mark as leaving',
      leaveM: 'Mark as leaving',
      leaveTitle: 'Leaving the unit',
      leaveOn: 'Leaving date',
      leaveConfirm: 'Confirm leaving',
      leaveDone: 'Leaving recorded.',
      move: 'Move to another unit',
      moveTitle: 'Move',
      moveTo: 'New unit',
      newPosition: 'Position in the new unit',
      moveSubmit: 'Move',
      moved: 'Moved to: {unit}.',
      chooseUnit: 'Choose a unit.',
    },
    employment: { unit: 'Unit', from: 'From', until: 'Until', position: 'Position', current: 'current', empty: 'No employment history.' },
    history: {
      addTitle: 'Add a note / call / meeting',
      kind: 'Entry type',
      subject: 'Subject',
      body: 'Details',
      persons: 'Concerns people',
      submit: 'Add entry',
      empty: 'No contact history yet.',
      added: 'Entry added to the contact history.',
      links: 'Links',
    },
    eventKind: {
      note: 'note',
      call: 'phone call',
      meeting: 'meeting',
      email: 'e-mail',
      audit: 'data change',
      email_sent: 'e-mail sent',
      email_delivered: 'e-mail delivered',
      email_bounced: 'e-mail bounced',
      email_complaint: 'spam complaint',
      email_opened: 'e-mail opened',
      email_clicked: 'link clicked',
      email_inbound: 'incoming e-mail',
      enrolment: 'training enrolment',
      enrolment_cancelled: 'enrolment cancelled',
      attendance: 'training attendance',
      training: 'training',
      document: 'document',
      other: 'event',
    },
    linkKind: {
      unit: 'unit',
      person: 'person',
      training: 'training',
      mailing: 'mailing',
      settlement: 'settlement',
      task: 'task',
      inbound_mail: 'received e-mail',
      document: 'document',
    },
    audit: {
      at: 'When',
      actor: 'Who',
      action: 'Action',
      changes: 'Changes',
      empty: 'No recorded changes.',
      actions: { create: 'created', update: 'updated', leave: 'left', move: 'moved' },
    },
    task: {
      title: 'Title',
      description: 'Description',
      dueOn: 'Due',
      assignee: 'Assigned to',
      status: 'Status',
      links: 'Concerns',
      createdBy: 'Created by',
      statuses: { open: 'open', done: 'done', cancelled: 'cancelled' },
      overdue: 'overdue',
    },
    tasks: {
      title: 'Tasks',
      assignee: 'Assigned',
      mine: 'to me',
      everyone: 'all',
      status: 'Status',
      statusOpen: 'open',
      statusDone: 'done',
      statusAll: 'all',
      add: 'Add task',
      addTitle: 'New task',
      markDone: 'Mark as done',
      reopen: 'Reopen',
      empty: 'No tasks.',
      added: 'Task added.',
      updated: 'Task updated.',
      me: 'me ({name})',
      nobody: 'nobody (unassigned)',
    },
    search: {
      label: 'Search units and people',
      placeholder: 'Search for a unit or person…',
      none: 'No results.',
      min: 'Type at least 2 characters.',
      units: 'Units',
      persons: 'People',
      searching: 'Searching…',
    },
    picker: {
      placeholder: 'Type a unit name…',
      selected: 'Selected: {name}',
      change: 'change',
    },
    ext: {
      myUnit: 'My unit',
      subUnits: 'Subordinate units',
      noSubUnits: 'No subordinate units.',
      readOnly: 'Unit details are kept by the WOKiSS office. Tell your WOKiSS contact about any changes.',
      employees: 'Employees',
      showFormer: 'show former employees',
      unit: 'Unit',
      allUnits: 'all my units',
      addEmployee: 'Add employee',
      addTitle: 'New employee',
      moveToSub: 'Move to a subordinate unit',
      noSubToMove: 'There is no other unit this person can be moved to.',
      myData: 'My details',
      noPerson: 'Your account is not linked to a person record. Please contact your unit administrator.',
      editTitle: 'Change details',
    },
  },
};

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    /* storage unavailable */
  }
  return 'pl';
}

let lang = initialLang();
const listeners = new Set();

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = next;
  listeners.forEach((fn) => fn(next));
}

/** Re-renders the calling component when the language changes. */
export function useLang() {
  const [value, setValue] = useState(lang);
  useEffect(() => {
    listeners.add(setValue);
    return () => listeners.delete(setValue);
  }, []);
  return value;
}

function lookup(table, key) {
  let node = table;
  for (const part of key.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = node[part];
  }
  return node;
}

/** Translate `key`, substituting `{name}` placeholders from `params`. */
export function t(key, params) {
  let s = lookup(dict[lang], key);
  if (s === undefined) s = lookup(dict.pl, key);
  if (typeof s !== 'string') return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] != null ? String(params[k]) : m));
  return s;
}

/** Translate when the key exists, otherwise return `fallback`. */
export function tOr(key, fallback) {
  const s = lookup(dict[lang], key) ?? lookup(dict.pl, key);
  return typeof s === 'string' ? s : fallback;
}

/** Pick the current language out of a server `{pl, en}` message (or pass a plain string through). */
export function msg(m) {
  if (m == null) return '';
  if (typeof m === 'string') return m;
  return m[lang] || m.pl || m.en || '';
}

dict.pl.training = trainingPl;
dict.en.training = trainingEn;
dict.pl.templates = templatesPl;
dict.en.templates = templatesEn;
dict.pl.documents = documentsPl;
dict.en.documents = documentsEn;
dict.pl.billing = billingPl;
dict.en.billing = billingEn;
dict.pl.mailings = mailingsPl;
dict.en.mailings = mailingsEn;
dict.pl.inbound = inboundPl;
dict.en.inbound = inboundEn;
dict.pl.certificates = certificatesPl;
dict.en.certificates = certificatesEn;

document.documentElement.lang = lang;

// exported for a test of the dictionary's completeness
export const _dict = dict;
