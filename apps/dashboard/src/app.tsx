import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './layout';
import { LiveEventsProvider } from './live/live-events';
import { AgentsScreen } from './screens/agents/agents-screen';
import { AlertsScreen } from './screens/alerts/alerts-screen';
import { ApprovalsScreen } from './screens/approvals/approvals-screen';
import { FeedScreen } from './screens/feed/feed-screen';
import { HistoryScreen } from './screens/history/history-screen';
import { OverviewScreen } from './screens/overview/overview-screen';
import { SignInScreen } from './screens/sign-in/sign-in-screen';
import { WebhooksScreen } from './screens/webhooks/webhooks-screen';
import { useOptionalSession } from './session/session';

/** Sign in first; then the screens, with the event stream open for all of them. */
export function App({ eventSource }: { eventSource?: typeof EventSource }) {
  const session = useOptionalSession();
  if (session === null) return <SignInScreen />;
  return (
    <LiveEventsProvider eventSource={eventSource}>
      <Routes>
        <Route element={<Layout />}>
          <Route path="/overview" element={<OverviewScreen />} />
          <Route path="/agents" element={<AgentsScreen />} />
          <Route path="/feed" element={<FeedScreen />} />
          {session.isAdmin && <Route path="/approvals" element={<ApprovalsScreen />} />}
          <Route path="/history" element={<HistoryScreen />} />
          <Route path="/alerts" element={<AlertsScreen />} />
          {session.isAdmin && <Route path="/webhooks" element={<WebhooksScreen />} />}
          <Route path="*" element={<Navigate to="/overview" replace />} />
        </Route>
      </Routes>
    </LiveEventsProvider>
  );
}
