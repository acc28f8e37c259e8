import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, type Me, setCsrfToken, setOnUnauthenticated, setViewAs } from './api.js';

/** The user an admin is viewing the app as (kept for the tab, like the session's place in it). */
export interface ViewingAs {
  id: string;
  email: string;
}
const VIEW_AS_KEY = 'rhizome.viewAs';

function storedViewAs(): ViewingAs | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(VIEW_AS_KEY) ?? 'null') as ViewingAs | null;
    return value && typeof value.id === 'string' && typeof value.email === 'string' ? value : null;
  } catch {
    return null;
  }
}

export interface Session {
  /** undefined while the first check runs; null when nobody is signed in. */
  me: Me | null | undefined;
  /** Why the user was sent to sign in again, if the session ended under them. */
  expired: boolean;
  signIn(input: { org: string; email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  /** While set, `me` and every read are the other user's; writes are refused. */
  viewingAs: ViewingAs | null;
  /** Starts (a user) or stops (null) viewing as someone; resolves once `me` is theirs (or yours). */
  viewAs(user: ViewingAs | null): Promise<void>;
}

const Context = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [viewingAs, setViewingAs] = useState<ViewingAs | null>(null);

  const accept = useCallback((next: Me | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setMe(next);
  }, []);

  const switchTo = useCallback((user: ViewingAs | null) => {
    setViewAs(user?.id ?? null);
    if (user) sessionStorage.setItem(VIEW_AS_KEY, JSON.stringify(user));
    else sessionStorage.removeItem(VIEW_AS_KEY);
    setViewingAs(user);
  }, []);

  const changeViewAs = useCallback(
    async (user: ViewingAs | null): Promise<void> => {
      switchTo(user);
      try {
        accept(await api<Me>('GET', '/api/v1/auth/me'));
      } catch (error) {
        // No longer allowed to view as them (or they were disabled): back to yourself.
        if (user && error instanceof ApiError && error.status !== 401) {
          switchTo(null);
          accept(await api<Me>('GET', '/api/v1/auth/me').catch(() => null));
        } else accept(null);
      }
    },
    [accept, switchTo],
  );

  useEffect(() => {
    setOnUnauthenticated(() => {
      setExpired(true);
      accept(null);
    });
    void changeViewAs(storedViewAs());
  }, [accept, changeViewAs]);

  const value = useMemo<Session>(
    () => ({
      me,
      expired,
      viewingAs,
      viewAs: changeViewAs,
      signIn: async (input) => {
        switchTo(null);
        const result = await api<Me>('POST', '/api/v1/auth/login', input);
        setExpired(false);
        accept(result);
      },
      signOut: async () => {
        try {
          await api('POST', '/api/v1/auth/logout');
        } finally {
          switchTo(null);
          accept(null);
        }
      },
    }),
    [me, expired, accept, viewingAs, changeViewAs, switchTo],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): Session {
  const value = useContext(Context);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
