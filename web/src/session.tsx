import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, type Me, setCsrfToken, setOnUnauthenticated } from './api.js';

export interface Session {
  /** undefined while the first check runs; null when nobody is signed in. */
  me: Me | null | undefined;
  /** Why the user was sent to sign in again, if the session ended under them. */
  expired: boolean;
  signIn(input: { org: string; email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
}

const Context = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const accept = useCallback((next: Me | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setMe(next);
  }, []);

  useEffect(() => {
    setOnUnauthenticated(() => {
      setExpired(true);
      accept(null);
    });
    api<Me>('GET', '/api/v1/auth/me').then(accept, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) accept(null);
      else accept(null);
    });
  }, [accept]);

  const value = useMemo<Session>(
    () => ({
      me,
      expired,
      signIn: async (input) => {
        const result = await api<Me>('POST', '/api/v1/auth/login', input);
        setExpired(false);
        accept(result);
      },
      signOut: async () => {
        try {
          await api('POST', '/api/v1/auth/logout');
        } finally {
          accept(null);
        }
      },
    }),
    [me, expired, accept],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): Session {
  const value = useContext(Context);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
