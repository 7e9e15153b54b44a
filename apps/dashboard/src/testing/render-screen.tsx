import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import type { KeyHolder } from '@nexus/types';
import { LiveEventsProvider } from '../live/live-events';
import { SessionProvider } from '../session/session';
import { FakeEventSource } from './fake-event-source';

export const ADMIN: KeyHolder = { kind: 'admin', agentId: null };
export const agentHolder = (agentId: string): KeyHolder => ({ kind: 'agent', agentId });

/** Renders a screen as the console shows it once signed in: session, queries, router and a fake event stream. */
export function renderScreen(screen: ReactElement, { holder = ADMIN, path = '/' }: { holder?: KeyHolder; path?: string } = {}) {
  sessionStorage.setItem('nexus.key', 'test-key');
  sessionStorage.setItem('nexus.holder', JSON.stringify(holder));
  FakeEventSource.reset();
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <MemoryRouter initialEntries={[path]}>
          <LiveEventsProvider eventSource={FakeEventSource as unknown as typeof EventSource}>{screen}</LiveEventsProvider>
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
}
