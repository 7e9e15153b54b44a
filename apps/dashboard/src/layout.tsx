import { NavLink, Outlet } from 'react-router';
import { useLiveEvents } from './live/live-events';
import { useSession } from './session/session';

interface NavItem {
  to: string;
  label: string;
  testId: string;
  adminOnly?: boolean;
}

const NAV: readonly NavItem[] = [
  { to: '/overview', label: 'Overview', testId: 'nav-overview' },
  { to: '/agents', label: 'Agents', testId: 'nav-agents' },
  { to: '/feed', label: 'Live feed', testId: 'nav-feed' },
  { to: '/approvals', label: 'Approvals', testId: 'nav-approvals', adminOnly: true },
  { to: '/history', label: 'History', testId: 'nav-history' },
  { to: '/alerts', label: 'Alerts', testId: 'nav-alerts' },
  { to: '/webhooks', label: 'Webhooks', testId: 'nav-webhooks', adminOnly: true },
];

const STATUS_TEXT = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' } as const;

/** The frame of every screen: who is signed in, the stream's state, the navigation. */
export function Layout() {
  const { holder, isAdmin, signOut } = useSession();
  const { status } = useLiveEvents();
  return (
    <div className="layout">
      <header className="top">
        <span className="brand">MNEE Nexus</span>
        <span className={`stream-status stream-${status}`} data-testid="stream-status">
          Events: {STATUS_TEXT[status]}
        </span>
        <span className="who" data-testid="signed-in-as">
          {holder.kind === 'admin' ? 'Admin' : `Agent ${holder.agentId ?? ''} (read-only)`}
        </span>
        <button type="button" onClick={signOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <nav aria-label="Screens">
        {NAV.filter((item) => isAdmin || !item.adminOnly).map((item) => (
          <NavLink key={item.to} to={item.to} data-testid={item.testId}>
            {item.label}
          </NavLink>
        ))}
      </nav>
      <main>
        <Outlet />
      </main>
    </div>
  );
}
