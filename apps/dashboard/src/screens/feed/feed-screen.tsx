import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryKey } from '../../api/query-keys';
import { useLiveEvents } from '../../live/live-events';
import type { LiveEvent } from '../../live/live-stream';
import { useSession } from '../../session/session';
import { formatTime } from '../../ui/format';
import { TxHash } from '../../ui/tx-hash';
import { describeEvent } from './describe-event';

function FeedItem({ event, explorerTxUrl }: { event: LiveEvent; explorerTxUrl: string | null | undefined }) {
  const summary = describeEvent(event);
  return (
    <li data-testid="feed-item" data-type={event.type} data-seq={event.seq}>
      <span className={`badge ${summary.tone}`}>{summary.headline}</span> <span className="muted">{formatTime(event.at)}</span>
      <div>
        {summary.detail} {summary.txHash !== null && <TxHash hash={summary.txHash} explorerTxUrl={explorerTxUrl} />}
      </div>
    </li>
  );
}

/**
 * Decisions, payments, refunds, alerts, approvals and agent changes as they happen, newest
 * first. The stream resumes after a reconnect without losing an event; pointing at the feed
 * (or the Pause button) holds the list still while new events are counted above it.
 */
export function FeedScreen() {
  const { api } = useSession();
  const { events, status } = useLiveEvents();
  const [hovered, setHovered] = useState(false);
  const [held, setHeld] = useState(false);
  const [frozen, setFrozen] = useState<readonly LiveEvent[] | null>(null);
  const treasury = useQuery({ queryKey: [QueryKey.treasury], queryFn: () => api.treasury() });

  const paused = hovered || held;
  const shown = frozen ?? events;
  const newest = frozen?.[0]?.seq;
  const newer = newest === undefined ? events.length - (frozen?.length ?? 0) : events.findIndex((event) => event.seq === newest);
  const waiting = frozen === null ? 0 : newer < 0 ? events.length : newer;

  const pause = (source: 'hover' | 'button', on: boolean) => {
    const nextHovered = source === 'hover' ? on : hovered;
    const nextHeld = source === 'button' ? on : held;
    setHovered(nextHovered);
    setHeld(nextHeld);
    if (!(nextHovered || nextHeld)) setFrozen(null);
    else if (!paused) setFrozen(events);
  };

  return (
    <section>
      <h1>Live feed</h1>
      <div className="toolbar">
        <span className="muted">Stream: {status}</span>
        <button type="button" className="secondary" aria-pressed={held} onClick={() => pause('button', !held)} data-testid="feed-pause">
          {held ? 'Resume feed' : 'Pause feed'}
        </button>
        {paused && (
          <span role="status" data-testid="feed-paused">
            Paused{waiting > 0 ? ` — ${waiting} new event${waiting === 1 ? '' : 's'} waiting` : ''}
          </span>
        )}
      </div>
      {shown.length === 0 && (
        <p className="muted">No events since you opened the console. Paid calls, alerts and approvals appear here as they happen.</p>
      )}
      <ul className="feed" data-testid="feed" onMouseEnter={() => pause('hover', true)} onMouseLeave={() => pause('hover', false)}>
        {shown.map((event) => (
          <FeedItem key={event.seq} event={event} explorerTxUrl={treasury.data?.explorerTxUrl} />
        ))}
      </ul>
    </section>
  );
}
