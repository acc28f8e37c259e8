import { useId, useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';

/** Users to choose from, for those who may list them (users.manage); others type the email. */
export function useUserChoices(): { id: string; email: string; display_name: string | null }[] {
  const users = useApi<{
    items: { id: string; email: string; display_name: string | null; disabled: boolean }[];
  }>('/api/v1/users');
  return users.state === 'ok' ? users.data.items.filter((u) => !u.disabled) : [];
}

/**
 * A change sent to the API from a panel: busy while it runs, its message once done (and `round`
 * bumped, so the panel reloads), or the API's refusal in its own words. `run` says whether it worked.
 */
export function useChange() {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (done: string, request: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setFailure(null);
    setMessage(null);
    try {
      await request();
      setMessage(done);
      setRound((r) => r + 1);
      return true;
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { round, busy, message, failure, run };
}

/** A user's sign-in email, with the organization's users (but `exclude`) offered when listable. */
export function UserEmailField(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  exclude: string[];
}) {
  const choices = useUserChoices();
  const listId = useId();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="email"
        required
        autoComplete="off"
        list={choices.length > 0 ? listId : undefined}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <p className="hint">{props.hint}</p>
      {choices.length > 0 && (
        <datalist id={listId}>
          {choices
            .filter((u) => !props.exclude.includes(u.id))
            .map((u) => (
              <option key={u.id} value={u.email}>
                {u.display_name ?? u.email}
              </option>
            ))}
        </datalist>
      )}
    </div>
  );
}
