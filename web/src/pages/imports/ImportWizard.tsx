import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, type Unit } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import {
  getImport,
  type ImportJob,
  type ImportOptions,
  type ImportPreview,
  listRejects,
  previewImport,
  startImport,
} from './api.js';
import './imports.css';

/** How often a running import is asked for its progress. */
const POLL_MS = 1000;

/** Field names with a label in the catalogs (src/imports MAPPING_FIELDS). */
const LABELLED = new Set([
  'given_name',
  'family_name',
  'additional_name',
  'full_name',
  'email',
  'phone',
  'mobile_phone',
  'home_phone',
  'work_phone',
  'address_line',
  'locality',
  'region',
  'postal_code',
  'country',
  'birthdate',
  'birth_year',
  'birth_month',
  'birth_day',
  'pronouns',
  'preferred_language',
  'tags',
  'identifiers',
  'home_unit',
]);

/** A field's name for people: a label, a custom field's key, or the other system an id is from. */
function useFieldLabel(): (field: string) => string {
  const { t } = useI18n();
  return (field) => {
    if (LABELLED.has(field)) return t(`imports.field.${field}` as MessageKey);
    if (field.startsWith('field:')) return t('imports.field.custom', { key: field.slice('field:'.length) });
    if (field.startsWith('identifier:'))
      return t('imports.field.identifier', { system: field.slice('identifier:'.length) });
    return field;
  };
}

const splitTags = (text: string): string[] =>
  text
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);

const problemText = (error: unknown, offline: string): string =>
  error instanceof ApiError || error instanceof Error ? errorText(error, offline) : offline;

/**
 * The import wizard: choose a CSV file, check where each column goes (the server's own header
 * detection, on the file's first rows), set tags and a home unit, start the import, watch it, and
 * read what happened: counts, and each rejected row with the field at fault.
 */
export function ImportWizard() {
  const { t } = useI18n();
  const { me } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [tags, setTags] = useState('');
  const [unit, setUnit] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const allowed = me?.actions.includes('people.import') ?? false;

  useEffect(() => {
    document.title = `${t('imports.title')} · ${t('app.name')}`;
  }, [t]);

  const options = (): ImportOptions => ({ mapping, tags: splitTags(tags), unit });

  // The preview follows the file, the mapping and the unit (tags change nothing it shows).
  useEffect(() => {
    if (!file || !allowed) return;
    let live = true;
    setChecking(true);
    previewImport(file, { mapping, tags: [], unit }).then(
      (result) => {
        if (!live) return;
        setPreview(result);
        setPreviewError(null);
        setChecking(false);
      },
      (error: unknown) => {
        if (!live) return;
        setPreviewError(problemText(error, t('app.offline')));
        setChecking(false);
      },
    );
    return () => {
      live = false;
    };
  }, [file, mapping, unit, allowed, t]);

  if (!allowed)
    return (
      <>
        <h1>{t('imports.title')}</h1>
        <p role="alert" className="error">
          {t('imports.notAllowed')}
        </p>
      </>
    );

  const reset = () => {
    setFile(null);
    setMapping({});
    setPreview(null);
    setPreviewError(null);
    setJob(null);
    setStartError(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const start = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setStarting(true);
    setStartError(null);
    startImport(file, options()).then(
      (started) => {
        setJob(started);
        setStarting(false);
      },
      (error: unknown) => {
        setStartError(problemText(error, t('app.offline')));
        setStarting(false);
      },
    );
  };

  if (job && file)
    return (
      <>
        <h1>{t('imports.title')}</h1>
        <Progress job={job} onJob={setJob} preview={preview} fileSize={file.size} />
        <p>
          <button type="button" className="secondary" onClick={reset}>
            {t('imports.another')}
          </button>
        </p>
      </>
    );

  return (
    <form className="import" onSubmit={start}>
      <h1>{t('imports.title')}</h1>
      <p className="hint">{t('imports.intro')}</p>
      <div className="field">
        <label htmlFor="import-file">{t('imports.file')}</label>
        <input
          id="import-file"
          ref={fileInput}
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          aria-describedby="import-file-hint"
          onChange={(e) => {
            setMapping({});
            setPreview(null);
            setPreviewError(null);
            setFile(e.target.files?.[0] ?? null);
          }}
        />
        <p id="import-file-hint" className="hint">
          {t('imports.fileHint')}
        </p>
      </div>
      <p role="status" className="hint">
        {checking ? t('imports.checking') : ''}
      </p>
      {previewError && (
        <p role="alert" className="error">
          {t('imports.previewFailed', { detail: previewError })}
        </p>
      )}
      {file && preview && (
        <>
          <Mapping
            preview={preview}
            onChange={(column, field, detected) =>
              setMapping((before) => {
                const next = { ...before };
                // Only what differs from the header's own meaning goes to the server.
                if (field === (detected ?? 'ignore')) delete next[column];
                else next[column] = field;
                return next;
              })
            }
          />
          <SampleProblems preview={preview} />
          <Options tags={tags} setTags={setTags} unit={unit} setUnit={setUnit} />
          {!preview.ready && (
            <p role="alert" className="error">
              {t('imports.notReady')}
            </p>
          )}
          {startError && (
            <p role="alert" className="error">
              {t('imports.startFailed', { detail: startError })}
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={!preview.ready || starting || checking}>
              {starting ? t('imports.starting') : t('imports.start')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

/** Each column of the file: the field it goes to (editable) and its first values under it. */
function Mapping(props: {
  preview: ImportPreview;
  onChange(column: string, field: string, detected: string | null): void;
}) {
  const { t } = useI18n();
  const label = useFieldLabel();
  const { preview } = props;
  return (
    <section aria-labelledby="mapping-heading" className="card">
      <h2 id="mapping-heading">{t('imports.mapping')}</h2>
      <p className="hint">{t('imports.mappingHint')}</p>
      <ol className="columns">
        {preview.columns.map((column) => {
          const id = `map-${column.index}`;
          const name = column.column.trim() || t('imports.unnamed', { n: column.index + 1 });
          // The choices: every field, plus an identifier the header named (van, actionkit, …).
          const choices = preview.fields.filter((f) => f !== 'ignore');
          for (const f of [column.field, column.detected])
            if (f && f !== 'ignore' && !choices.includes(f)) choices.push(f);
          return (
            <li key={column.index} className={column.field ? 'mapped' : 'unmapped'}>
              <label htmlFor={id}>
                <span className="column-name">{name}</span>
              </label>
              <select
                id={id}
                value={column.field ?? 'ignore'}
                onChange={(e) => props.onChange(column.column, e.target.value, column.detected)}
              >
                <option value="ignore">{t('imports.ignore')}</option>
                {choices.map((f) => (
                  <option key={f} value={f}>
                    {label(f)}
                  </option>
                ))}
              </select>
              {column.samples.length > 0 && (
                <ul className="samples" aria-label={t('imports.samplesOf', { column: name })}>
                  {column.samples.map((value, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the rows of the sample, in order
                    <li key={i}>
                      {value === '' ? <span className="empty">{t('imports.empty')}</span> : value}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** Rows of the sample that the import would reject, each with the field and column at fault. */
function SampleProblems({ preview }: { preview: ImportPreview }) {
  const { t, tn } = useI18n();
  const rejects = preview.rows.filter((r) => r.outcome === 'reject');
  const checked = preview.rows.length;
  return (
    <section aria-labelledby="check-heading" className="card">
      <h2 id="check-heading">{t('imports.check')}</h2>
      <p>
        {checked === 0
          ? t('imports.noRows')
          : rejects.length === 0
            ? tn('imports.checkedOk', checked)
            : tn('imports.checkedBad', checked, { bad: rejects.length })}
      </p>
      {rejects.length > 0 && (
        <RowReasons rows={rejects.map((r) => ({ line: r.line, reason: r.reason ?? '' }))} />
      )}
    </section>
  );
}

export function RowReasons({ rows }: { rows: { line: number; reason: string }[] }) {
  const { t } = useI18n();
  return (
    <ul className="row-reasons">
      {rows.map((row) => (
        <li key={row.line}>
          <strong>{t('imports.row', { line: row.line })}</strong>{' '}
          {/* The API names each field at fault ("email: … (column "E-mail")"), joined by "; ". */}
          <ul>
            {row.reason.split('; ').map((part) => (
              <li key={part}>{part}</li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function Options(props: {
  tags: string;
  setTags(tags: string): void;
  unit: string;
  setUnit(unit: string): void;
}) {
  const { t } = useI18n();
  const units = useApi<{ items: Unit[] }>('/api/v1/units');
  return (
    <section aria-labelledby="options-heading" className="card">
      <h2 id="options-heading">{t('imports.options')}</h2>
      <div className="field">
        <label htmlFor="import-tags">{t('imports.tags')}</label>
        <input
          id="import-tags"
          value={props.tags}
          aria-describedby="import-tags-hint"
          onChange={(e) => props.setTags(e.target.value)}
        />
        <p id="import-tags-hint" className="hint">
          {t('imports.tagsHint')}
        </p>
      </div>
      {units.state === 'ok' && (
        <div className="field">
          <label htmlFor="import-unit">{t('imports.unit')}</label>
          <select id="import-unit" value={props.unit} onChange={(e) => props.setUnit(e.target.value)}>
            <option value="">{t('imports.noUnit')}</option>
            {units.data.items.map((u) => (
              <option key={u.id} value={u.path}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
      )}
    </section>
  );
}

/** A running import, polled until it ends; then its counts, rejects and the rejects file. */
function Progress(props: {
  job: ImportJob;
  onJob(job: ImportJob): void;
  preview: ImportPreview | null;
  fileSize: number;
}) {
  const { t, tn } = useI18n();
  const { job, onJob } = props;
  const [pollError, setPollError] = useState<string | null>(null);
  const [rejects, setRejects] = useState<{ line: number; reason: string }[] | null>(null);
  const running = job.status === 'running';

  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => {
      getImport(job.id).then(
        (next) => {
          setPollError(null);
          onJob(next);
        },
        (error: unknown) => {
          setPollError(problemText(error, t('app.offline')));
          // Ask again: a dropped connection on a phone should not end the watch.
          onJob({ ...job });
        },
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job, running, onJob, t]);

  useEffect(() => {
    if (job.status !== 'completed' || job.rejected === 0) return;
    let live = true;
    listRejects(job.id).then(
      (page) => live && setRejects(page.items),
      () => live && setRejects([]),
    );
    return () => {
      live = false;
    };
  }, [job.id, job.status, job.rejected]);

  // Rows in the file, estimated from the sample (exact when the sample was the whole file).
  const sample = props.preview;
  const estimate =
    sample && sample.sample_bytes > 0
      ? Math.max(1, Math.round((sample.sample_rows * props.fileSize) / sample.sample_bytes))
      : null;
  const fraction = running ? (estimate ? Math.min(job.rows_read / estimate, 0.99) : undefined) : 1;

  return (
    <section aria-labelledby="progress-heading" className="card import-progress">
      <h2 id="progress-heading">{job.filename}</h2>
      <progress
        aria-label={t('imports.progress')}
        max={1}
        {...(fraction !== undefined ? { value: fraction } : {})}
      />
      <p role="status">
        {running
          ? tn('imports.running', job.rows_read)
          : job.status === 'completed'
            ? tn('imports.done', job.rows_read)
            : t('imports.failed', { detail: job.error ?? '' })}
      </p>
      {pollError && (
        <p role="alert" className="error">
          {t('app.error', { detail: pollError })}
        </p>
      )}
      {!running && (
        <dl className="counts">
          <div>
            <dt>{t('imports.created')}</dt>
            <dd data-count="created">{job.created}</dd>
          </div>
          <div>
            <dt>{t('imports.updated')}</dt>
            <dd data-count="updated">{job.updated}</dd>
          </div>
          <div>
            <dt>{t('imports.rejected')}</dt>
            <dd data-count="rejected">{job.rejected}</dd>
          </div>
          {job.flagged > 0 && (
            <div>
              <dt>{t('imports.flagged')}</dt>
              <dd data-count="flagged">{job.flagged}</dd>
            </div>
          )}
        </dl>
      )}
      {!running && job.rejected > 0 && (
        <>
          <h3>{t('imports.rejects')}</h3>
          {rejects && <RowReasons rows={rejects} />}
          {rejects && rejects.length < job.rejected && (
            <p className="hint">{t('imports.rejectsMore', { shown: rejects.length, total: job.rejected })}</p>
          )}
          <p>
            <a className="button secondary" href={job.rejects_url} download>
              {t('imports.downloadRejects')}
            </a>
          </p>
        </>
      )}
      {!running && job.flagged > 0 && (
        <p>
          <Link href="/duplicates">{t('imports.reviewDuplicates')}</Link>
        </p>
      )}
    </section>
  );
}
