import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { App } from './app';
import { SessionProvider } from './session/session';
import './styles.css';

const queries = new QueryClient({
  // live events mark what changed as stale; a slow poll catches what no event tells (health, expiries)
  defaultOptions: { queries: { staleTime: 5_000, refetchInterval: 30_000, retry: 1 } },
});

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <HashRouter>
          <App />
        </HashRouter>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
