import { useI18n } from '../../i18n/index.js';
import { type Preview, personName } from './api.js';

const gained = (before: string[], after: string[]) => after.filter((x) => !before.includes(x));

/** What a user would gain and lose with a change of access, as the API previewed it (nothing saved). */
export function PreviewPanel({ preview }: { preview: Preview }) {
  const { t, tn } = useI18n();
  const { people } = preview;
  const classesGained = gained(preview.field_classes.before, preview.field_classes.after);
  const classesLost = gained(preview.field_classes.after, preview.field_classes.before);
  const actionsGained = gained(preview.actions.before, preview.actions.after);
  const actionsLost = gained(preview.actions.after, preview.actions.before);
  const changedUnits = people.by_unit.filter((u) => u.before !== u.after);
  return (
    <section className="preview" aria-labelledby="h-preview" aria-live="polite">
      <h3 id="h-preview">{t('admin.previewTitle', { email: preview.user.email })}</h3>
      {preview.add && <p>{t('admin.previewAdd', { grant: preview.add })}</p>}
      {preview.remove && <p>{t('admin.previewRemove', { grant: preview.remove })}</p>}
      <p className="preview-people">
        {t('admin.previewPeople', { before: people.before, after: people.after })}
      </p>
      <div className="gain-loss">
        <div className="gain">
          <h4>{tn('admin.gains', people.gained.count)}</h4>
          <Sample people={people.gained.sample} />
        </div>
        <div className="loss">
          <h4>{tn('admin.losses', people.lost.count)}</h4>
          <Sample people={people.lost.sample} />
        </div>
      </div>
      {changedUnits.length > 0 && (
        <table>
          <caption>{t('admin.byUnit')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.unit')}</th>
              <th scope="col" className="num">
                {t('admin.before')}
              </th>
              <th scope="col" className="num">
                {t('admin.after')}
              </th>
            </tr>
          </thead>
          <tbody>
            {changedUnits.map((u) => (
              <tr key={u.unit ?? '-'}>
                <th scope="row">{u.name ?? u.unit ?? t('admin.noUnit')}</th>
                <td className="num">{u.before}</td>
                <td className="num">{u.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl>
        <div>
          <dt>{t('admin.fieldClassesGained')}</dt>
          <dd>{classesGained.join(', ') || t('admin.nothing')}</dd>
        </div>
        <div>
          <dt>{t('admin.fieldClassesLost')}</dt>
          <dd>{classesLost.join(', ') || t('admin.nothing')}</dd>
        </div>
        <div>
          <dt>{t('admin.actionsGained')}</dt>
          <dd>{actionsGained.join(', ') || t('admin.nothing')}</dd>
        </div>
        <div>
          <dt>{t('admin.actionsLost')}</dt>
          <dd>{actionsLost.join(', ') || t('admin.nothing')}</dd>
        </div>
      </dl>
    </section>
  );
}

function Sample({ people }: { people: Preview['people']['gained']['sample'] }) {
  const { t } = useI18n();
  if (people.length === 0) return null;
  return (
    <>
      <p className="hint">{t('admin.sample')}</p>
      <ul>
        {people.map((p) => (
          <li key={p.id}>{personName(p) || t('person.noName')}</li>
        ))}
      </ul>
    </>
  );
}
