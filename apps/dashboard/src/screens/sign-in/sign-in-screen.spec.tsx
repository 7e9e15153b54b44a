import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { App } from '../../app';
import { SessionProvider } from '../../session/session';
import { FakeEventSource } from '../../testing/fake-event-source';
import { fakeGateway } from '../../testing/fake-gateway';

function renderApp() {
  return render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <SessionProvider>
        <MemoryRouter>
          <App eventSource={FakeEventSource as unknown as typeof EventSource} />
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
}

describe('sign in', () => {
  it('asks the gateway who the key is, keeps it in sessionStorage only, and opens the console', async () => {
    const gateway = fakeGateway({ 'GET /whoami': { kind: 'admin', agentId: null } });
    renderApp();
    await userEvent.type(screen.getByTestId('login-key'), 'admin-key-123');
    await userEvent.click(screen.getByTestId('login-submit'));

    expect(await screen.findByTestId('nav-approvals')).toBeInTheDocument();
    expect(gateway.callsTo('GET', '/whoami')[0]?.authorization).toBe('Bearer admin-key-123');
    expect(sessionStorage.getItem('nexus.key')).toBe('admin-key-123');
    expect(localStorage.length).toBe(0);
    expect(gateway.calls.every((call) => !call.path.includes('admin-key-123'))).toBe(true);
  });

  it("shows the gateway's refusal of a wrong key and stores nothing", async () => {
    fakeGateway({ 'GET /whoami': () => ({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'unknown API key' } } }) });
    renderApp();
    await userEvent.type(screen.getByTestId('login-key'), 'wrong');
    await userEvent.click(screen.getByTestId('login-submit'));

    expect(await screen.findByRole('alert')).toHaveTextContent('UNAUTHORIZED: unknown API key');
    expect(sessionStorage.getItem('nexus.key')).toBeNull();
    expect(screen.queryByTestId('nav-overview')).not.toBeInTheDocument();
  });

  it('gives an agent key the read-only screens: no approvals, no webhooks', async () => {
    fakeGateway({ 'GET /whoami': { kind: 'agent', agentId: 'batch-agent' } });
    renderApp();
    await userEvent.type(screen.getByTestId('login-key'), 'agent-key');
    await userEvent.click(screen.getByTestId('login-submit'));

    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent('Agent batch-agent (read-only)');
    expect(screen.getByTestId('nav-agents')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-approvals')).not.toBeInTheDocument();
    expect(screen.queryByTestId('nav-webhooks')).not.toBeInTheDocument();
  });
});
