// Extranet "Rozliczenia" (unit administrators only): the unit's settlement documents with the
// receivables summary, and a document's card.
import { useApi } from '../api.js';
import { t } from '../i18n.js';
import { ReceivablesBox, SettlementsTable, SettlementView, settlementTitle } from '../billing-common.jsx';
import { ErrorView, InlineError, Loading } from '../ui.jsx';

const docHref = (id) => `#/ext/settlements/${encodeURIComponent(id)}`;

export function ExtSettlementsPage() {
  const res = useApi('/api/extranet/settlements');
  const items = res.data ? [...res.data.settlements].sort((a, b) => String(b.issueDate || '').localeCompare(String(a.issueDate || '')) || String(b.number || '').localeCompare(String(a.number || ''))) : [];
  return (
    <section class="page" data-testid="ext-settlements">
      <div class="page-head">
        <h1>{t('billing.ext.title')}</h1>
      </div>
      <p class="muted">{t('billing.ext.intro')}</p>
      {res.loading && !res.data ? (
        <Loading />
      ) : res.error ? (
        <InlineError error={res.error} onRetry={res.reload} />
      ) : (
        <>
          <ReceivablesBox receivables={res.data.receivables} />
          <section class="card" aria-labelledby="ext-docs-title">
            <h2 class="card-title" id="ext-docs-title">
              {t('billing.unitTab.settlements')}
            </h2>
            {items.length === 0 ? <p class="muted">{t('billing.unitTab.empty')}</p> : <SettlementsTable items={items} hrefFor={docHref} testid="ext-settlements-table" />}
          </section>
        </>
      )}
    </section>
  );
}

export function ExtSettlementPage({ id }) {
  const res = useApi(`/api/extranet/settlements/${encodeURIComponent(id)}`);
  if (res.loading && !res.data) return <Loading />;
  if (res.error) return <ErrorView error={res.error} />;
  if (!res.data) return null;
  const s = res.data;
  return (
    <section class="page" data-testid="ext-settlement">
      <p class="crumbs">
        <a href="#/ext/settlements">{t('billing.ext.back')}</a>
      </p>
      <div class="page-head">
        <h1>{settlementTitle(s)}</h1>
      </div>
      <SettlementView settlement={s} hrefFor={docHref} />
    </section>
  );
}
