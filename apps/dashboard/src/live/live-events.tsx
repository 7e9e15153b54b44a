import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { STALE_ON_EVENT } from '../api/query-keys';
import { useSession } from '../session/session';
import { LiveStream, type LiveEvent, type LiveStatus } from './live-stream';

/** How many of the newest events the console keeps for the feed. */
export const FEED_KEPT = 200;

interface LiveState {
  status: LiveStatus;
  /** newest first */
  events: readonly LiveEvent[];
}

const LiveContext = createContext<LiveState>({ status: 'connecting', events: [] });

/** Opens the console's one event stream while signed in; each event refreshes the screens it changes. */
export function LiveEventsProvider({ children, eventSource }: { children: ReactNode; eventSource?: typeof EventSource }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [state, setState] = useState<LiveState>({ status: 'connecting', events: [] });

  useEffect(() => {
    const stream = new LiveStream({
      api,
      eventSource,
      onStatus: (status) => setState((previous) => ({ ...previous, status })),
      onEvent: (event) => {
        setState((previous) => ({ ...previous, events: [event, ...previous.events].slice(0, FEED_KEPT) }));
        for (const key of STALE_ON_EVENT[event.type]) void queries.invalidateQueries({ queryKey: [key] });
      },
    }).start();
    return () => stream.stop();
  }, [api, queries, eventSource]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export const useLiveEvents = () => useContext(LiveContext);
