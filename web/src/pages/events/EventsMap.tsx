/**
 * The map of events, loaded lazily (its own chunk: MapLibre GL is far larger than the app shell).
 * The basemap ships with the app: US state boundaries from `us-atlas` (TopoJSON, a build asset of
 * this origin) turned into GeoJSON by `topojson-client`. No tiles, glyphs, sprites or anything else
 * come from another origin, and there are no text labels on the canvas: cluster counts are HTML.
 * Without WebGL 2 the events are listed instead, with a message saying why.
 */
import {
  type GeoJSONSource,
  type LngLatBoundsLike,
  type MapLayerMouseEvent,
  Map as MapLibre,
  Marker,
  NavigationControl,
  type StyleSpecification,
  setWorkerUrl,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection, MultiLineString, Point } from 'geojson';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import statesUrl from 'us-atlas/states-10m.json?url';
import { Link } from 'wouter';
import { useI18n } from '../../i18n/index.js';
import { formatWhen, type MapPoint } from './api.js';
import './events-map.css';

setWorkerUrl(workerUrl);

/** Whether this browser can draw the map (MapLibre 6 needs WebGL 2). */
function hasWebGl2(): boolean {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

let basemap: Promise<{ land: FeatureCollection; borders: MultiLineString }> | null = null;

/** The state polygons and their shared borders, from the packaged TopoJSON (fetched once, same origin). */
function loadBasemap() {
  basemap ??= fetch(statesUrl)
    .then((response) => {
      if (!response.ok) throw new Error(`basemap: HTTP ${response.status}`);
      return response.json() as Promise<Topology<{ states: GeometryCollection; nation: GeometryCollection }>>;
    })
    .then((topology) => ({
      land: feature(topology, topology.objects.states) as FeatureCollection,
      borders: mesh(topology, topology.objects.states, (a, b) => a !== b),
    }));
  return basemap;
}

const US: LngLatBoundsLike = [
  [-125, 24],
  [-66.5, 49.5],
];

function style(land: FeatureCollection, borders: MultiLineString): StyleSpecification {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: land },
      borders: { type: 'geojson', data: borders },
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': '#dfe8ef' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#fbfbf8' } },
      {
        id: 'borders',
        type: 'line',
        source: 'borders',
        paint: { 'line-color': '#8a96a3', 'line-width': 0.8 },
      },
    ],
  };
}

function toGeoJson(points: MapPoint[]): FeatureCollection<Point> {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] },
      properties: { id: p.id, cancelled: p.status === 'cancelled' },
    })),
  };
}

type State = 'loading' | 'ready' | 'fallback';

export interface EventsMapProps {
  points: MapPoint[];
  /** What the map shows, for its accessible name ("Map of events"). */
  label: string;
}

/** The events on a map with clusters; a list when the map cannot be drawn. */
export default function EventsMap({ points, label }: EventsMapProps) {
  const { t, language } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibre | null>(null);
  const [state, setState] = useState<State>(() => (hasWebGl2() ? 'loading' : 'fallback'));
  const [selected, setSelected] = useState<string | null>(null);
  const [rendered, setRendered] = useState<{ ids: string[]; clustered: number }>({ ids: [], clustered: 0 });
  const data = useRef(points);
  data.current = points;

  const fallback = state === 'fallback';
  // The map is made once per mount (labels follow the language at the next mount); the points
  // follow in the next effect, through `data`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: made once, fed through refs
  useEffect(() => {
    if (fallback || !container.current) return;
    let live = true;
    const counts = new Map<number, Marker>();
    loadBasemap()
      .then(({ land, borders }) => {
        if (!live || !container.current) return;
        let instance: MapLibre;
        try {
          instance = new MapLibre({
            container: container.current,
            style: style(land, borders),
            bounds: US,
            fitBoundsOptions: { padding: 8 },
            attributionControl: { compact: true, customAttribution: t('map.attribution') },
            locale: {
              'NavigationControl.ZoomIn': t('map.zoomIn'),
              'NavigationControl.ZoomOut': t('map.zoomOut'),
              'NavigationControl.ResetBearing': t('map.resetBearing'),
              'AttributionControl.ToggleAttribution': t('map.attributionToggle'),
              'Map.Title': label,
            },
            cooperativeGestures: false,
            dragRotate: false,
          });
        } catch {
          setState('fallback');
          return;
        }
        map.current = instance;
        instance.addControl(new NavigationControl({ showCompass: false }), 'top-right');
        instance.on('error', (event) => {
          // A lost or refused WebGL context cannot draw anything: list the events instead.
          if (/webgl/i.test(String(event.error?.message))) setState('fallback');
        });
        instance.on('load', () => {
          instance.addSource('events', {
            type: 'geojson',
            data: toGeoJson(data.current),
            cluster: true,
            clusterRadius: 40,
            clusterMaxZoom: 12,
          });
          instance.addLayer({
            id: 'event-clusters',
            type: 'circle',
            source: 'events',
            filter: ['has', 'point_count'],
            paint: {
              'circle-color': '#0a4f8a',
              'circle-opacity': 0.85,
              'circle-radius': ['step', ['get', 'point_count'], 14, 10, 18, 100, 24, 1000, 30],
              'circle-stroke-color': '#ffffff',
              'circle-stroke-width': 2,
            },
          });
          instance.addLayer({
            id: 'event-points',
            type: 'circle',
            source: 'events',
            filter: ['!', ['has', 'point_count']],
            paint: {
              'circle-color': ['case', ['get', 'cancelled'], '#6b7480', '#c05c00'],
              'circle-radius': 7,
              'circle-stroke-color': '#ffffff',
              'circle-stroke-width': 2,
            },
          });
          fitToPoints(instance, data.current);
          setState('ready');
        });
        instance.on('click', 'event-clusters', (event: MapLayerMouseEvent) => {
          const cluster = event.features?.[0];
          const id = cluster?.properties?.cluster_id as number | undefined;
          if (id === undefined || cluster?.geometry.type !== 'Point') return;
          const center = cluster.geometry.coordinates as [number, number];
          void (instance.getSource('events') as GeoJSONSource)
            .getClusterExpansionZoom(id)
            .then((zoom) => instance.easeTo({ center, zoom }));
        });
        instance.on('click', 'event-points', (event: MapLayerMouseEvent) => {
          const id = event.features?.[0]?.properties?.id as string | undefined;
          if (id) setSelected(id);
        });
        for (const layer of ['event-clusters', 'event-points']) {
          instance.on('mouseenter', layer, () => {
            instance.getCanvas().style.cursor = 'pointer';
          });
          instance.on('mouseleave', layer, () => {
            instance.getCanvas().style.cursor = '';
          });
        }
        // Cluster counts as HTML (no glyphs are fetched), and what was drawn, for the reader's list.
        instance.on('idle', () => {
          if (!instance.getLayer('event-points')) return;
          const features = instance.queryRenderedFeatures({ layers: ['event-clusters', 'event-points'] });
          const seen = new Set<number>();
          let clustered = 0;
          const ids: string[] = [];
          for (const f of features) {
            const props = f.properties ?? {};
            if (typeof props.cluster_id === 'number' && f.geometry.type === 'Point') {
              if (seen.has(props.cluster_id)) continue;
              seen.add(props.cluster_id);
              clustered += Number(props.point_count);
              let marker = counts.get(props.cluster_id);
              if (!marker) {
                const element = document.createElement('span');
                element.className = 'map-count';
                element.textContent = String(props.point_count_abbreviated ?? props.point_count);
                element.setAttribute('aria-hidden', 'true');
                marker = new Marker({ element }).setLngLat(f.geometry.coordinates as [number, number]);
                counts.set(props.cluster_id, marker);
              }
              marker.addTo(instance);
            } else if (typeof props.id === 'string') ids.push(props.id);
          }
          for (const [id, marker] of counts) if (!seen.has(id)) marker.remove();
          setRendered({ ids: [...new Set(ids)], clustered });
        });
      })
      .catch(() => live && setState('fallback'));
    return () => {
      live = false;
      for (const marker of counts.values()) marker.remove();
      map.current?.remove();
      map.current = null;
    };
  }, [fallback]);

  useEffect(() => {
    const instance = map.current;
    const source = instance?.getSource('events') as GeoJSONSource | undefined;
    if (!instance || !source) return;
    source.setData(toGeoJson(points));
    fitToPoints(instance, points);
  }, [points]);

  const chosen = points.find((p) => p.id === selected);
  let body: ReactNode = null;
  if (state === 'fallback')
    body = (
      <>
        <p className="notice" role="status">
          {t('map.unavailable')}
        </p>
        <PointList points={points} language={language} />
      </>
    );
  return (
    <section
      className="events-map"
      aria-label={label}
      data-map-state={state}
      data-rendered-ids={rendered.ids.join(' ')}
      data-rendered-clustered={rendered.clustered}
    >
      {state !== 'fallback' && (
        <>
          <div ref={container} className="map-canvas" />
          <p className="hint" role="status">
            {state === 'loading'
              ? t('app.loading')
              : t('map.summary', { shown: rendered.ids.length + rendered.clustered, total: points.length })}
          </p>
          {chosen && (
            <p className="map-selected">
              <Link href={`/events/${chosen.id}`}>{chosen.title}</Link>{' '}
              <span>{formatWhen(language, chosen.starts_at, chosen.timezone)}</span>
            </p>
          )}
        </>
      )}
      {body}
    </section>
  );
}

function fitToPoints(instance: MapLibre, points: MapPoint[]) {
  if (points.length === 0) return;
  let [west, south, east, north] = [180, 90, -180, -90];
  for (const p of points) {
    west = Math.min(west, p.longitude);
    east = Math.max(east, p.longitude);
    south = Math.min(south, p.latitude);
    north = Math.max(north, p.latitude);
  }
  instance.fitBounds(
    [
      [west, south],
      [east, north],
    ],
    { padding: 40, maxZoom: 10, duration: 0 },
  );
}

function PointList({ points, language }: { points: MapPoint[]; language: string }) {
  return (
    <ul className="map-list">
      {points.map((p) => (
        <li key={p.id}>
          <Link href={`/events/${p.id}`}>{p.title}</Link>{' '}
          <span className="when">{formatWhen(language, p.starts_at, p.timezone)}</span>
        </li>
      ))}
    </ul>
  );
}
