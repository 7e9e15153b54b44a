import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { workspaceRoot } from '../stack/build';
import { isTestSource, workspaceSources } from '../stack/env-reads';

/**
 * deploy/prometheus/alerts.yml and deploy/grafana/nexus.json may only name
 * metrics the services export: each metric the code declares with prom-client
 * (a histogram's _bucket, _sum and _count), prom-client's default process
 * metrics every service registers, and Prometheus' own `up`.
 */

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');

/** What a name expands to in Prometheus' text format, by metric type. */
const SERIES_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count', ''], summary: ['_sum', '_count', ''] };
const expand = (name: string, type: string) => (SERIES_SUFFIXES[type] ?? ['']).map((suffix) => `${name}${suffix}`);

/** Every metric the apps and libs declare: `new Counter({ name: '…' })` and its kin. */
function declaredMetrics(): Set<string> {
  const names = new Set<string>(['up']);
  for (const path of workspaceSources().filter((file) => !isTestSource(file) && !file.startsWith('tools/'))) {
    for (const match of read(path).matchAll(/new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g))
      for (const series of expand(match[2] ?? '', (match[1] ?? '').toLowerCase())) names.add(series);
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const metric of defaults.getMetricsAsArray()) for (const series of expand(metric.name, String(metric.type))) names.add(series);
  return names;
}

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'bool',
  'offset',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, label sets, grouping labels or ranges. */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = bare.slice((match.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(word.toLowerCase())) continue;
    // a number's exponent or duration (1e3, 5m) is part of a number, not a name
    if (/[0-9.]$/.test(bare.slice(0, match.index ?? 0))) continue;
    names.push(word);
  }
  return [...new Set(names)];
}

interface AlertRule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}

const rules = (yaml.load(read('deploy/prometheus/alerts.yml')) as { groups: { name: string; rules: AlertRule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const dashboard = JSON.parse(read('deploy/grafana/nexus.json')) as { panels: { title: string; targets: { expr: string }[] }[] };

describe('the operations files', () => {
  it('reads metric names out of PromQL, leaving functions, labels, grouping and ranges out', () => {
    expect(
      metricsIn('histogram_quantile(0.99, sum by (le, mode) (rate(a_seconds_bucket{status=~"5..", x="by(y)"}[5m]))) > 1e3 and on (job) up'),
    ).toEqual(['a_seconds_bucket', 'up']);
    expect(metricsIn('outbox_pending_messages > 100 and delta(outbox_pending_messages[15m]) > 0')).toEqual(['outbox_pending_messages']);
  });

  it('name only metrics the services export (the missing ones are listed)', () => {
    const exported = declaredMetrics();
    const used = [
      ...rules.map((rule) => ({ where: `alerts.yml ${rule.alert}`, expr: rule.expr })),
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `nexus.json "${panel.title}"`, expr: target.expr }))),
    ];
    const missing = used.flatMap(({ where, expr }) =>
      metricsIn(expr).flatMap((name) => (exported.has(name) ? [] : [`${name} (${where})`])),
    );
    expect(missing).toEqual([]);
    // the check sees real names: every expression reads at least one metric
    for (const { where, expr } of used) expect({ where, names: metricsIn(expr).length > 0 }).toEqual({ where, names: true });
  });

  it('alert on what the operator must hear of, each rule with a severity and a summary', () => {
    for (const rule of rules) {
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length).toBeGreaterThan(10);
    }
    const watched = new Set(rules.flatMap((rule) => metricsIn(rule.expr)));
    for (const name of [
      'up',
      'http_request_duration_seconds_count',
      'outbox_pending_messages',
      'outbox_dead_messages',
      'gateway_settle_failures_total',
      'payment_ledger_payments',
      'payment_chain_unavailable_total',
    ])
      expect(watched).toContain(name);
  });

  it('draw paid calls, latency, decisions, spend, outbox backlog and pending payments', () => {
    const drawn = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => metricsIn(target.expr))));
    for (const name of [
      'gateway_paid_calls_total',
      'gateway_paid_call_duration_seconds_bucket',
      'policy_decisions_total',
      'payment_ledger_amount_mnee',
      'outbox_pending_messages',
      'payment_ledger_payments',
    ])
      expect(drawn).toContain(name);
  });
});
