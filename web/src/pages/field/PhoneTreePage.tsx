import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { useI18n } from '../../i18n/index.js';
import type { PhoneTree, TreeNode } from './api.js';
import { LoadState, nameOf, Progress, useReloadable } from './parts.js';

/**
 * A phone tree at a glance, as the server computes it now: who is reached, who is not yet, and
 * which calls rolled up to a leader higher up because the deadline passed.
 */
export function PhoneTreePage({ id }: { id: string }) {
  const { t, formatDate } = useI18n();
  const [version, setVersion] = useState(0);
  const loaded = useReloadable<PhoneTree>(`/api/v1/phone-trees/${encodeURIComponent(id)}`, version);
  const tree = loaded.data ?? null;
  const name = tree?.name;
  useEffect(() => {
    if (name) document.title = `${name} · ${t('app.name')}`;
  }, [name, t]);

  const back = (
    <p className="back">
      <Link href="/call">{t('field.call.back')}</Link>
    </p>
  );
  if (!tree)
    return (
      <>
        {back}
        <LoadState loaded={loaded} notFound={t('field.tree.notFound')} />
      </>
    );

  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  const who = (nodeId: string | null) =>
    nodeId ? nameOf(byId.get(nodeId)?.person, t('person.noName')) : t('person.noName');
  const callees = tree.totals.reached + tree.totals.not_reached + tree.totals.pending;
  const escalated = tree.nodes.filter((n) => n.escalated);
  const late = new Date(tree.at).getTime() > new Date(tree.deadline).getTime();

  return (
    <>
      {back}
      <h1>{tree.name}</h1>
      {tree.message && <p className="field-script">{tree.message}</p>}
      <p className={late ? 'notice' : 'hint'}>
        {t(late ? 'field.tree.deadlinePassed' : 'field.tree.deadline', {
          deadline: formatDate(tree.deadline, true),
        })}
      </p>
      <Progress
        value={tree.totals.reached}
        max={callees}
        label={t('field.tree.reached', { reached: tree.totals.reached, total: callees })}
      />
      <ul className="field-totals" aria-label={t('field.tree.totals')}>
        <li>
          <strong>{tree.totals.reached}</strong> {t('field.tree.state.reached')}
        </li>
        <li>
          <strong>{tree.totals.not_reached}</strong> {t('field.tree.state.not_reached')}
        </li>
        <li>
          <strong>{tree.totals.pending}</strong> {t('field.tree.state.pending')}
        </li>
        <li>
          <strong>{escalated.length}</strong> {t('field.tree.state.escalated')}
        </li>
      </ul>
      <p className="hint">
        {t('field.tree.asOf', { at: formatDate(tree.at, true) })}{' '}
        <button type="button" className="secondary" onClick={() => setVersion((v) => v + 1)}>
          {t('field.tree.refresh')}
        </button>
      </p>

      <section className="card" aria-labelledby="leaders-heading">
        <h2 id="leaders-heading">{t('field.tree.leaders')}</h2>
        <ul className="field-leaders">
          {tree.leaders.map((l) => (
            <li key={l.node_id}>
              <p className="field-person-name">{who(l.node_id)}</p>
              <p>
                {t('field.tree.leaderCounts', {
                  reached: l.reached,
                  callees: l.callees,
                  pending: l.pending,
                  not_reached: l.not_reached,
                })}
              </p>
              {l.escalated_to_them.length > 0 && (
                <p className="field-escalated">
                  {t('field.tree.rolledUpTo', { names: l.escalated_to_them.map((n) => who(n)).join(', ') })}
                </p>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="tree-heading">
        <h2 id="tree-heading">{t('field.tree.tree')}</h2>
        <Branch nodes={tree.nodes} parent={null} who={who} />
      </section>
    </>
  );
}

function Branch(props: { nodes: TreeNode[]; parent: string | null; who: (id: string | null) => string }) {
  const { t } = useI18n();
  const children = props.nodes.filter((n) => n.parent_id === props.parent);
  if (children.length === 0) return null;
  return (
    <ul className="field-tree">
      {children.map((n) => {
        const state = n.parent_id === null ? null : (n.result ?? 'pending');
        return (
          <li key={n.id}>
            <span className="field-node">
              <span className="field-person-name">{props.who(n.id)}</span>{' '}
              {state && (
                <span className={`badge field-state field-state-${state}`}>
                  {t(`field.tree.state.${state}`)}
                </span>
              )}
            </span>
            {n.escalated && (
              <p className="field-escalated">
                {t('field.tree.nowWith', { name: props.who(n.responsible_id) })}
              </p>
            )}
            <Branch nodes={props.nodes} parent={n.id} who={props.who} />
          </li>
        );
      })}
    </ul>
  );
}
