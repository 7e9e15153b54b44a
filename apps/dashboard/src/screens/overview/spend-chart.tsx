import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryBucket, SpendHistory } from '@nexus/types';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { QueryView } from '../../ui/query-view';

type Grouping = 'agent' | 'service';
const COLOURS = ['#1d4ed8', '#b45309', '#15803d', '#7c3aed', '#be123c', '#0e7490'];

/** One row per bucket, one column per agent (or service) with its spend in MNEE, for the chart to draw. */
export function chartRows(history: SpendHistory, grouping: Grouping): { rows: Record<string, string | number>[]; groups: string[] } {
  const pick = (point: SpendHistory['buckets'][number]) => (grouping === 'agent' ? point.byAgent : point.byService);
  const groups = [...new Set(history.buckets.flatMap((point) => Object.keys(pick(point))))].sort();
  const label = (start: string) => (history.bucket === 'hour' ? start.slice(11, 16) : start.slice(5, 10));
  const rows = history.buckets.map((point) => ({
    bucket: label(point.start),
    // a bar's height only: the figures themselves are the API's strings, shown in the table below the chart
    ...Object.fromEntries(groups.map((group) => [group, Number(pick(point)[group]?.spent ?? '0')])),
  }));
  return { rows, groups };
}

/** Spend over time from GET /stats/history: by agent or by service, per hour or per day. */
export function SpendChart() {
  const { api } = useSession();
  const [bucket, setBucket] = useState<HistoryBucket>('hour');
  const [grouping, setGrouping] = useState<Grouping>('agent');
  const history = useQuery({ queryKey: [QueryKey.history, bucket], queryFn: () => api.history({ bucket }) });

  return (
    <div className="card" data-testid="spend-chart">
      <h2>Spend over time</h2>
      <div className="toolbar">
        <label htmlFor="chart-bucket">Per</label>
        <select id="chart-bucket" value={bucket} onChange={(event) => setBucket(event.target.value as HistoryBucket)}>
          <option value="hour">hour (last day)</option>
          <option value="day">day (last 30 days)</option>
        </select>
        <label htmlFor="chart-grouping">By</label>
        <select id="chart-grouping" value={grouping} onChange={(event) => setGrouping(event.target.value as Grouping)}>
          <option value="agent">agent</option>
          <option value="service">service</option>
        </select>
      </div>
      <QueryView query={history} what="the spend history">
        {(data) => {
          const { rows, groups } = chartRows(data, grouping);
          if (rows.length === 0) return <p className="muted">Nothing spent in this window yet.</p>;
          return (
            <>
              <BarChart width={720} height={260} data={rows} accessibilityLayer>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="bucket" />
                <YAxis unit=" MNEE" width={90} />
                <Tooltip />
                <Legend />
                {groups.map((group, index) => (
                  <Bar key={group} dataKey={group} stackId="spend" fill={COLOURS[index % COLOURS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
              <p className="muted" data-testid="spend-total">
                In this window: {data.totals.spent} MNEE spent over {data.totals.payments} payments, {data.totals.refunded} refunded,{' '}
                {data.totals.calls} calls ({data.totals.rejected} rejected).
              </p>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
