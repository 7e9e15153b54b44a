import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { KeyHolder } from '@nexus/types';
import { NexusApi } from '../api/nexus-api';

/** The key lives in this tab's sessionStorage only: never in a URL, gone when the tab closes. */
const KEY_ITEM = 'nexus.key';
const HOLDER_ITEM = 'nexus.holder';

export interface Session {
  api: NexusApi;
  holder: KeyHolder;
  isAdmin: boolean;
  signOut: () => void;
}

interface SessionState {
  session: Session | null;
  signIn: (key: string) => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

function storedHolder(): KeyHolder | null {
  try {
    const text = sessionStorage.getItem(HOLDER_ITEM);
    return text === null ? null : (JSON.parse(text) as KeyHolder);
  } catch {
    return null;
  }
}

export function SessionProvider({ children, baseUrl = '' }: { children: ReactNode; baseUrl?: string }) {
  const [state, setState] = useState(() => {
    const key = sessionStorage.getItem(KEY_ITEM);
    const holder = storedHolder();
    return key !== null && holder !== null ? { key, holder } : null;
  });

  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY_ITEM);
    sessionStorage.removeItem(HOLDER_ITEM);
    setState(null);
  }, []);

  const signIn = useCallback(
    async (key: string) => {
      // who the key is, asked of the gateway: a wrong key is refused here, before anything is stored
      const holder = await new NexusApi(key, baseUrl).whoami();
      sessionStorage.setItem(KEY_ITEM, key);
      sessionStorage.setItem(HOLDER_ITEM, JSON.stringify(holder));
      setState({ key, holder });
    },
    [baseUrl],
  );

  const value = useMemo<SessionState>(
    () => ({
      session:
        state === null
          ? null
          : { api: new NexusApi(state.key, baseUrl), holder: state.holder, isAdmin: state.holder.kind === 'admin', signOut },
      signIn,
    }),
    [state, baseUrl, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (state === null) throw new Error('useSession needs a SessionProvider');
  return state;
}

/** The signed-in session; only screens behind the sign-in use it. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (session === null) throw new Error('useSession needs a signed-in session');
  return session;
}

export const useSignIn = () => useSessionState().signIn;
export const useOptionalSession = () => useSessionState().session;
