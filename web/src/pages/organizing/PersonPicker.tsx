import { type KeyboardEvent, useEffect, useId, useState } from 'react';
import { api, type Page, type Person, query } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';

const SHOWN = 8;
const WAIT_MS = 250;

export interface Picked {
  id: string;
  name: string | null;
  unit: string | null;
}

/**
 * Choose one person by typing part of their name: a combobox over the people search (only people
 * the user may see come back). Arrow keys move through the matches, Enter picks one.
 */
export function PersonPicker(props: {
  label: string;
  value: Picked | null;
  onChange: (person: Picked | null) => void;
  /** Focus the search box when it appears (a screen whose first step is choosing someone). */
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<Person[] | null>(null);
  const [active, setActive] = useState(0);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const words = text.trim();
    if (words.length < 2) {
      setMatches(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api<Page<Person>>('GET', `/api/v1/people${query({ q: words, sort: 'name', per_page: SHOWN })}`).then(
        (page) => {
          if (!live) return;
          setFailed(false);
          setMatches(page.items);
          setActive(0);
        },
        () => live && setFailed(true),
      );
    }, WAIT_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  if (props.value)
    return (
      <div className="field">
        <span className="label" id={`${id}-label`}>
          {props.label}
        </span>
        <div className="picked">
          <strong>{props.value.name ?? t('person.noName')}</strong>
          {props.value.unit && <span className="unit">{props.value.unit}</span>}
          <button
            type="button"
            className="secondary"
            aria-describedby={`${id}-label`}
            onClick={() => {
              props.onChange(null);
              setText('');
            }}
          >
            {t('picker.change')}
          </button>
        </div>
      </div>
    );

  const pick = (person: Person) => {
    props.onChange({ id: person.id, name: displayName(person), unit: person.home_unit?.name ?? null });
    setMatches(null);
  };
  const shown = matches ?? [];
  const open = shown.length > 0;
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!open) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + shown.length) % shown.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const person = shown[active];
      if (person) pick(person);
    } else if (event.key === 'Escape') setMatches(null);
  };

  return (
    <div className="field picker">
      <label htmlFor={`${id}-input`}>{props.label}</label>
      <input
        id={`${id}-input`}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-activedescendant={open ? `${id}-option-${active}` : undefined}
        aria-describedby={`${id}-hint`}
        autoComplete="off"
        // biome-ignore lint/a11y/noAutofocus: a screen whose first step is choosing someone
        autoFocus={props.autoFocus}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <p className="hint" id={`${id}-hint`}>
        {t('picker.hint')}
      </p>
      <div
        id={`${id}-list`}
        role="listbox"
        aria-label={props.label}
        className="picker-options"
        hidden={!open}
      >
        {shown.map((person, i) => (
          // The input keeps focus (aria-activedescendant) and handles the keys; a tap picks.
          // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox handles the keys
          <div
            key={person.id}
            id={`${id}-option-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            className={i === active ? 'option active' : 'option'}
            onClick={() => pick(person)}
          >
            <span className="name">{displayName(person) ?? t('person.noName')}</span>
            {person.home_unit && <span className="unit">{person.home_unit.name}</span>}
          </div>
        ))}
      </div>
      <p role="status" className="hint">
        {failed
          ? t('app.offline')
          : matches !== null && matches.length === 0
            ? t('picker.none', { text: text.trim() })
            : ''}
      </p>
    </div>
  );
}
