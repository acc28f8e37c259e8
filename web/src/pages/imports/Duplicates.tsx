import { type ReactNode, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, type Page, type Person } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import { useSession } from '../../session.js';
import { errorText } from '../../useApi.js';
import {
  type DuplicateSummary,
  dismissDuplicate,
  mergePeople,
  type PossibleDuplicate,
  previewMerge,
  undoMerge,
} from './api.js';
import './imports.css';

const PER_PAGE = 20;

const failure = (error: unknown, offline: string): string =>
  error instanceof ApiError || error instanceof Error ? errorText(error, offline) : offline;

const summaryName = (p: DuplicateSummary): string | null =>
  [p.given_name, p.family_name].filter((part) => part && part.trim() !== '').join(' ') || null;

/**
 * Duplicate review: the pairs the matching engine kept apart, side by side; a merge is previewed
 * before it is saved, and the merge just made can be undone. Dismissing says "not the same person".
 */
export function Duplicates() {
  const { t, tn } = useI18n();
  const { me } = useSession();
  const mayMerge = me?.actions.includes('people.merge') ?? false;
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const [list, setList] = useState<Page<PossibleDuplicate> | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [lastMerge, setLastMerge] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = `${t('dupes.title')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    let live = true;
    // `version` asks again after a merge, an undo or a dismissal.
    void version;
    api<Page<PossibleDuplicate>>('GET', `/api/v1/duplicates?page=${page}&per_page=${PER_PAGE}`).then(
      (data) => {
        if (!live) return;
        setList(data);
        setListError(null);
      },
      (caught: unknown) => live && setListError(failure(caught, t('app.offline'))),
    );
    return () => {
      live = false;
    };
  }, [page, version, t]);

  const reload = () => setVersion((v) => v + 1);

  const dismiss = (pair: PossibleDuplicate) => {
    setBusy(true);
    setError(null);
    dismissDuplicate(pair.id).then(
      () => {
        setBusy(false);
        setReviewing(null);
        setNotice(t('dupes.dismissed'));
        reload();
      },
      (caught: unknown) => {
        setBusy(false);
        setError(failure(caught, t('app.offline')));
      },
    );
  };

  const undo = () => {
    if (!lastMerge) return;
    setBusy(true);
    setError(null);
    undoMerge(lastMerge.id).then(
      () => {
        setBusy(false);
        setLastMerge(null);
        setNotice(t('dupes.undone'));
        reload();
      },
      (caught: unknown) => {
        setBusy(false);
        setError(failure(caught, t('app.offline')));
      },
    );
  };

  const pages = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;
  return (
    <>
      <h1>{t('dupes.title')}</h1>
      <p className="hint">{t('dupes.intro')}</p>
      <div role="status" className="dupes-status">
        {notice && <p className="notice">{notice}</p>}
      </div>
      {lastMerge && (
        <div className="notice merged">
          <p>{t('dupes.merged', { name: lastMerge.name })}</p>
          <button type="button" className="secondary" onClick={undo} disabled={busy}>
            {t('dupes.undo')}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {t('app.error', { detail: error })}
        </p>
      )}
      {listError && (
        <p role="alert" className="error">
          {t('app.error', { detail: listError })}
        </p>
      )}
      {list === null && !listError && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {list && (
        <>
          <p className="count">{tn('dupes.count', list.total)}</p>
          {list.total === 0 && <p>{t('dupes.none')}</p>}
          <ol className="pairs">
            {list.items.map((pair) => (
              <li key={pair.id} className="card pair">
                <h2>
                  {t('dupes.pairTitle', {
                    a: summaryName(pair.people[0]) ?? t('person.noName'),
                    b: summaryName(pair.people[1]) ?? t('person.noName'),
                  })}
                </h2>
                <p className="hint">{t('dupes.reason', { reason: pair.reason })}</p>
                <Comparison pair={pair} />
                {mayMerge && (
                  <div className="actions">
                    <button
                      type="button"
                      aria-expanded={reviewing === pair.id}
                      onClick={() => setReviewing(reviewing === pair.id ? null : pair.id)}
                    >
                      {t('dupes.review')}
                    </button>
                    <button type="button" className="secondary" onClick={() => dismiss(pair)} disabled={busy}>
                      {t('dupes.dismiss')}
                    </button>
                  </div>
                )}
                {reviewing === pair.id && (
                  <Review
                    pair={pair}
                    onMerged={(mergeId, person) => {
                      setReviewing(null);
                      setNotice(null);
                      setLastMerge({ id: mergeId, name: displayName(person) ?? t('person.noName') });
                      reload();
                    }}
                  />
                )}
              </li>
            ))}
          </ol>
          {pages > 1 && (
            <nav className="paging" aria-label={t('search.paging')}>
              <button
                type="button"
                className="secondary"
                disabled={page <= 1}
                onClick={() => setPage(page - 1)}
              >
                {t('search.previous')}
              </button>
              <span>{t('search.page', { page, pages })}</span>
              <button
                type="button"
                className="secondary"
                disabled={page >= pages}
                onClick={() => setPage(page + 1)}
              >
                {t('search.next')}
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}

const SUMMARY_ROWS: [keyof DuplicateSummary, MessageKey][] = [
  ['given_name', 'dupes.givenName'],
  ['family_name', 'dupes.familyName'],
  ['birthdate', 'person.birthdate'],
  ['email', 'dupes.email'],
  ['phone', 'dupes.phone'],
  ['postal_code', 'dupes.postalCode'],
];

/** Both records of a pair, row by row; the values that differ are marked. */
function Comparison({ pair }: { pair: PossibleDuplicate }) {
  const { t } = useI18n();
  const [a, b] = pair.people;
  return (
    <table className="compare-table">
      <caption className="visually-hidden">{t('dupes.compareCaption')}</caption>
      <thead>
        <tr>
          <td />
          <th scope="col">{t('dupes.record', { n: 1 })}</th>
          <th scope="col">{t('dupes.record', { n: 2 })}</th>
        </tr>
      </thead>
      <tbody>
        {SUMMARY_ROWS.map(([key, label]) => {
          const differs = a[key] !== null && b[key] !== null && a[key] !== b[key];
          const cell = (value: string | null) => (
            <td className={differs ? 'differs' : undefined}>
              {value ?? <span className="empty">{t('imports.empty')}</span>}
              {differs && <span className="visually-hidden"> ({t('dupes.differs')})</span>}
            </td>
          );
          return (
            <tr key={key}>
              <th scope="row">{t(label)}</th>
              {cell(a[key])}
              {cell(b[key])}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One pair under review: both records in full (as this user may see them), then the merge. */
function Review(props: { pair: PossibleDuplicate; onMerged(mergeId: string, person: Person): void }) {
  const { t } = useI18n();
  const { pair } = props;
  const [people, setPeople] = useState<[Person, Person] | null>(null);
  const [keep, setKeep] = useState<0 | 1>(0);
  const [result, setResult] = useState<Person | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all(
      pair.people.map((p) => api<Person>('GET', `/api/v1/people/${encodeURIComponent(p.id)}`)),
    ).then(
      (loaded) => live && setPeople([loaded[0] as Person, loaded[1] as Person]),
      (caught: unknown) => live && setError(failure(caught, t('app.offline'))),
    );
    return () => {
      live = false;
    };
  }, [pair, t]);

  const survivor = pair.people[keep].id;
  const merged = pair.people[keep === 0 ? 1 : 0].id;
  const run = <T,>(action: () => Promise<T>, then: (value: T) => void) => {
    setBusy(true);
    setError(null);
    action().then(
      (value) => {
        setBusy(false);
        then(value);
      },
      (caught: unknown) => {
        setBusy(false);
        setError(failure(caught, t('app.offline')));
      },
    );
  };

  const name = (person: Person) => displayName(person) ?? t('person.noName');
  return (
    <div className="review">
      {error && (
        <p role="alert" className="error">
          {t('app.error', { detail: error })}
        </p>
      )}
      {people === null && !error && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {people && (
        <>
          <div className="compare">
            {people.map((person, i) => (
              <PersonCard key={person.id} person={person} title={t('dupes.record', { n: i + 1 })} />
            ))}
          </div>
          <fieldset className="keep">
            <legend>{t('dupes.keep')}</legend>
            {people.map((person, i) => (
              <label key={person.id} className="choice">
                <input
                  type="radio"
                  name={`keep-${pair.id}`}
                  checked={keep === i}
                  onChange={() => {
                    setKeep(i as 0 | 1);
                    setResult(null);
                  }}
                />
                {t('dupes.keepRecord', { n: i + 1, name: name(person) })}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => run(() => previewMerge({ survivor_id: survivor, merged_id: merged }), setResult)}
            >
              {t('dupes.preview')}
            </button>
          </div>
          {result && (
            <>
              <PersonCard person={result} title={t('dupes.after')} />
              <p className="hint">{t('dupes.afterHint')}</p>
              <div className="actions">
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    run(
                      () => mergePeople({ survivor_id: survivor, merged_id: merged }),
                      (done) => props.onMerged(done.merge_id, done.person),
                    )
                  }
                >
                  {t('dupes.merge')}
                </button>
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}

/** A value the user may not read: shown masked, labelled as hidden. */
function Masked({ value }: { value: string }) {
  const { t } = useI18n();
  return (
    <span className="masked" title={t('person.maskedHelp')}>
      <span aria-hidden="true">{value}</span>
      <span className="badge">{t('person.masked')}</span>
    </span>
  );
}

/** A person as the API returned them: only the fields that came back, masked ones masked. */
function PersonCard({ person, title }: { person: Person; title: string }) {
  const { t, formatDay } = useI18n();
  const rows: [string, ReactNode][] = [];
  rows.push([t('dupes.name'), displayName(person) ?? <em>{t('person.noName')}</em>]);
  if (person.pronouns) rows.push([t('person.pronouns'), person.pronouns]);
  if (person.birthdate) rows.push([t('person.birthdate'), formatDay(person.birthdate)]);
  if (person.home_unit) rows.push([t('person.homeUnit'), person.home_unit.name]);
  const list = (items: ReactNode[]) =>
    items.length === 0 ? (
      t('person.none')
    ) : (
      <ul className="values">
        {items.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: values in the API's order
          <li key={i}>{item}</li>
        ))}
      </ul>
    );
  if (person.emails)
    rows.push([
      t('person.emails'),
      list(person.emails.map((e) => e.address ?? <Masked value={e.address_masked ?? '•••'} />)),
    ]);
  if (person.phones)
    rows.push([
      t('person.phones'),
      list(person.phones.map((p) => p.number ?? <Masked value={p.number_masked ?? '•••'} />)),
    ]);
  if (person.addresses)
    rows.push([
      t('person.addresses'),
      list(
        person.addresses.map((a) =>
          [...(a.lines ?? []), [a.locality, a.region, a.postal_code].filter(Boolean).join(' '), a.country]
            .filter(Boolean)
            .join(', '),
        ),
      ),
    ]);
  if (person.tags)
    rows.push([t('person.tags'), person.tags.length ? person.tags.join(', ') : t('person.noTags')]);
  return (
    <section className="card person-card" aria-label={title}>
      <h3>{title}</h3>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">
        <Link href={`/people/${person.id}`}>{t('dupes.open')}</Link>
      </p>
    </section>
  );
}
