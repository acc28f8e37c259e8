import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, api, type Unit } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import {
  type EventDetail,
  type EventView,
  isoToZoned,
  STATUSES,
  timeZones,
  VISIBILITIES,
  zonedToIso,
} from './api.js';
import './events.css';

interface Values {
  title: string;
  description: string;
  unit_id: string;
  starts: string;
  ends: string;
  timezone: string;
  location_name: string;
  address: string;
  locality: string;
  region: string;
  postal_code: string;
  country: string;
  latitude: string;
  longitude: string;
  virtual_url: string;
  capacity: string;
  waitlist: boolean;
  visibility: string;
  status: string;
}

function valuesOf(event: EventView | null): Values {
  const zone = event?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    title: event?.title ?? '',
    description: event?.description ?? '',
    unit_id: event?.unit_id ?? '',
    starts: event ? isoToZoned(event.starts_at, zone) : '',
    ends: event ? isoToZoned(event.ends_at, zone) : '',
    timezone: zone,
    location_name: event?.location_name ?? '',
    address: event?.address_lines.join('\n') ?? '',
    locality: event?.locality ?? '',
    region: event?.region ?? '',
    postal_code: event?.postal_code ?? '',
    country: event?.country ?? '',
    latitude: event?.latitude?.toString() ?? '',
    longitude: event?.longitude?.toString() ?? '',
    virtual_url: event?.virtual_url ?? '',
    capacity: event?.capacity?.toString() ?? '',
    waitlist: event?.waitlist ?? true,
    visibility: event?.visibility ?? 'unit',
    status: event?.status ?? 'draft',
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** Create an event (`/events/new`) or change one (`/events/:id/edit`). */
export function EventForm({ id }: { id?: string }) {
  const { t } = useI18n();
  const loaded = useApi<EventDetail>(id ? `/api/v1/events/${encodeURIComponent(id)}` : null);
  useEffect(() => {
    document.title = `${id ? t('events.edit') : t('events.new')} · ${t('app.name')}`;
  }, [id, t]);
  if (!id) return <Editor event={null} />;
  if (loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (loaded.state === 'error')
    return (
      <p role="alert" className="error">
        {t('app.error', { detail: errorText(loaded.error, t('app.offline')) })}
      </p>
    );
  return <Editor event={loaded.data} />;
}

function Editor({ event }: { event: EventDetail | null }) {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const [values, setValues] = useState<Values>(() => valuesOf(event));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const units = useApi<{ items: Unit[] }>('/api/v1/units');
  const zones = useMemo(timeZones, []);
  // Hosts change what and when; owner, visibility and status belong to the event's unit.
  const manage = event === null || event.can.manage;

  const set = (key: keyof Values) => (e: { target: { value: string; type?: string; checked?: boolean } }) =>
    setValues((v) => ({
      ...v,
      [key]: e.target.type === 'checkbox' ? Boolean(e.target.checked) : e.target.value,
    }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const starts = zonedToIso(values.starts, values.timezone);
    const ends = zonedToIso(values.ends, values.timezone);
    if (!starts) local.starts_at = t('events.form.needTime');
    if (!ends) local.ends_at = t('events.form.needTime');
    if (event === null && !values.unit_id) local.unit_id = t('events.form.needUnit');
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setFailure(t('events.form.check'));
      return;
    }
    const number = (v: string) => (v.trim() === '' ? null : Number(v));
    const body: Record<string, unknown> = {
      title: values.title,
      description: orNull(values.description),
      starts_at: starts,
      ends_at: ends,
      timezone: values.timezone,
      location_name: orNull(values.location_name),
      address_lines: values.address
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      locality: orNull(values.locality),
      region: orNull(values.region),
      postal_code: orNull(values.postal_code),
      country: orNull(values.country),
      virtual_url: orNull(values.virtual_url),
      capacity: number(values.capacity),
      waitlist: values.waitlist,
    };
    // An empty position lets the server place the event at its ZIP code.
    if (values.latitude.trim() !== '' || values.longitude.trim() !== '' || event?.latitude != null) {
      body.latitude = number(values.latitude);
      body.longitude = number(values.longitude);
    }
    if (manage) {
      body.unit_id = values.unit_id;
      body.visibility = values.visibility;
      if (event === null || values.status !== event.status) body.status = values.status;
    }
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const saved = event
        ? await api<EventView>('PATCH', `/api/v1/events/${event.id}`, body)
        : await api<EventView>('POST', '/api/v1/events', body);
      navigate(`/events/${saved.id}`);
    } catch (error) {
      if (error instanceof ApiError) {
        const fields: Record<string, string> = {};
        for (const f of error.problem.errors ?? []) fields[f.field] = f.message;
        setErrors(fields);
      }
      setFailure(errorText(error as Error, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof Values, apiName: string, label: MessageKey, input: ReactNode, hint?: string) => (
    <div className="field">
      <label htmlFor={`ev-${key}`}>{t(label)}</label>
      {input}
      {hint && (
        <p className="hint" id={`ev-${key}-hint`}>
          {hint}
        </p>
      )}
      {errors[apiName] && (
        <p className="field-error" id={`ev-${key}-error`}>
          {errors[apiName]}
        </p>
      )}
    </div>
  );
  const described = (key: keyof Values, apiName: string, hint = false) =>
    [hint ? `ev-${key}-hint` : '', errors[apiName] ? `ev-${key}-error` : ''].filter(Boolean).join(' ') ||
    undefined;
  const text = (key: keyof Values, apiName: string, extra: Record<string, unknown> = {}) => (
    <input
      id={`ev-${key}`}
      value={values[key] as string}
      onChange={set(key)}
      aria-invalid={errors[apiName] ? true : undefined}
      aria-describedby={described(key, apiName, 'aria-hint' in extra)}
      {...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'aria-hint'))}
    />
  );

  return (
    <>
      <p className="back">
        <Link href={event ? `/events/${event.id}` : '/events'}>{t('events.back')}</Link>
      </p>
      <h1>{event ? t('events.edit') : t('events.new')}</h1>
      {failure && (
        <div className="error" role="alert">
          <p>{failure}</p>
        </div>
      )}
      <form className="event-form" onSubmit={submit} noValidate>
        {field(
          'title',
          'title',
          'events.form.title',
          text('title', 'title', { required: true, maxLength: 200 }),
        )}
        {field(
          'description',
          'description',
          'events.form.description',
          <textarea id="ev-description" rows={4} value={values.description} onChange={set('description')} />,
        )}
        {manage &&
          field(
            'unit_id',
            'unit_id',
            'events.form.unit',
            <select
              id="ev-unit_id"
              value={values.unit_id}
              onChange={set('unit_id')}
              aria-invalid={errors.unit_id ? true : undefined}
              aria-describedby={described('unit_id', 'unit_id')}
            >
              <option value="">{t('events.form.choose')}</option>
              {units.state === 'ok' &&
                units.data.items.map((u) => (
                  <option key={u.id} value={u.id}>
                    {'\u2003'.repeat(u.path.split('.').length - 1) + u.name}
                  </option>
                ))}
            </select>,
          )}
        <fieldset>
          <legend>{t('events.form.when')}</legend>
          {field(
            'starts',
            'starts_at',
            'events.form.starts',
            text('starts', 'starts_at', { type: 'datetime-local', required: true }),
          )}
          {field(
            'ends',
            'ends_at',
            'events.form.ends',
            text('ends', 'ends_at', { type: 'datetime-local', required: true }),
          )}
          {field(
            'timezone',
            'timezone',
            'events.form.timezone',
            <select id="ev-timezone" value={values.timezone} onChange={set('timezone')}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>,
          )}
        </fieldset>
        <fieldset>
          <legend>{t('events.form.where')}</legend>
          {field(
            'location_name',
            'location_name',
            'events.form.locationName',
            text('location_name', 'location_name'),
          )}
          {field(
            'address',
            'address_lines',
            'events.form.address',
            <textarea
              id="ev-address"
              rows={2}
              value={values.address}
              onChange={set('address')}
              autoComplete="street-address"
            />,
          )}
          {field('locality', 'locality', 'events.form.locality', text('locality', 'locality'))}
          {field('region', 'region', 'events.form.region', text('region', 'region'))}
          {field(
            'postal_code',
            'postal_code',
            'events.form.postalCode',
            text('postal_code', 'postal_code', { inputMode: 'numeric', 'aria-hint': true }),
            t('events.form.postalHint'),
          )}
          {field(
            'country',
            'country',
            'events.form.country',
            text('country', 'country', { maxLength: 2, size: 3 }),
          )}
          {field(
            'latitude',
            'latitude',
            'events.form.latitude',
            text('latitude', 'latitude', { inputMode: 'decimal' }),
          )}
          {field(
            'longitude',
            'longitude',
            'events.form.longitude',
            text('longitude', 'longitude', { inputMode: 'decimal' }),
          )}
          {field(
            'virtual_url',
            'virtual_url',
            'events.form.virtualUrl',
            text('virtual_url', 'virtual_url', { type: 'url', 'aria-hint': true }),
            t('events.form.virtualHint'),
          )}
        </fieldset>
        <fieldset>
          <legend>{t('events.form.who')}</legend>
          {field(
            'capacity',
            'capacity',
            'events.form.capacity',
            text('capacity', 'capacity', { type: 'number', min: 0, inputMode: 'numeric', 'aria-hint': true }),
            t('events.form.capacityHint'),
          )}
          <div className="field checkbox">
            <input id="ev-waitlist" type="checkbox" checked={values.waitlist} onChange={set('waitlist')} />
            <label htmlFor="ev-waitlist">{t('events.form.waitlist')}</label>
          </div>
          {manage &&
            field(
              'visibility',
              'visibility',
              'events.form.visibility',
              <select id="ev-visibility" value={values.visibility} onChange={set('visibility')}>
                {VISIBILITIES.map((v) => (
                  <option key={v} value={v}>
                    {t(`events.visibility.${v}` as MessageKey)}
                  </option>
                ))}
              </select>,
            )}
          {manage &&
            field(
              'status',
              'status',
              'events.status',
              <select id="ev-status" value={values.status} onChange={set('status')}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`events.status.${s}` as MessageKey)}
                  </option>
                ))}
              </select>,
            )}
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('events.form.saving') : event ? t('events.form.save') : t('events.form.create')}
          </button>
        </div>
      </form>
    </>
  );
}
