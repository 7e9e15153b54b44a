import type { Browser, Page } from 'playwright-core';
import { fromBaseUnits, toBaseUnits } from '@nexus/types';
import { launchChromium, screenshot, seriousViolations, watchPageProblems } from './support/browser';
import { GatewayApi } from './support/gateway-api';
import { startStack, type RunningStack } from './support/stack-process';
import { stackFixture, type StackFixture } from './support/stack-settings';

/**
 * The operator's console in a real headless Chromium (Debian's, driven by playwright-core),
 * against a stack started by `npm start` in chain mode: sign in, the agents, a paid call seen
 * live, an approval, a pause, an agent key's own view — with a screenshot of every screen
 * under tmp/dashboard/ and an axe-core check of each.
 */

jest.setTimeout(300_000);

/** how soon a paid call made through the API must show in the live feed */
const LIVE_WITHIN_MS = 2_000;
const AGENTS = ['user-agent', 'batch-agent', 'ops-agent'];

let fixture: StackFixture;
let stack: RunningStack | undefined;
let api: GatewayApi;
let browser: Browser;
let page: Page;
let problems: string[];
const violations = new Map<string, string[]>();

const byTestId = (id: string) => page.getByTestId(id);

/** `data-testid` starting with `prefix` (rows carry their id: `agent-row-<agentId>`) */
const byTestIdPrefix = (prefix: string) => page.locator(`[data-testid^="${prefix}"]`);

/** opens a screen from the navigation, waits for its heading (and an element, by test id prefix), then screenshots and checks it with axe */
async function openScreen(nav: string, heading: string, name: string, ready?: string): Promise<void> {
  await byTestId(nav).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  if (ready !== undefined) await byTestIdPrefix(ready).first().waitFor();
  await screenshot(page, name);
  violations.set(name, await seriousViolations(page));
}

async function signIn(key: string): Promise<void> {
  await page.goto(`${stack?.gatewayUrl}/dashboard/`);
  await byTestId('login-key').fill(key);
  await byTestId('login-submit').click();
  await byTestId('nav-overview').waitFor();
}

/** the daily bar of an agent on the Agents screen: what it says is spent */
const dailySpent = async (agentId: string) => (await byTestId(`agent-budget-${agentId}-daily`).getAttribute('data-spent')) ?? '';

beforeAll(async () => {
  fixture = await stackFixture('sqlite', 'batch');
  stack = await startStack(fixture.settings);
  api = GatewayApi.fromEnvFile(stack.gatewayUrl, stack.fileEnv);
  browser = await launchChromium();
  // axe-core's runner needs a page of a context of its own
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  problems = watchPageProblems(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await fixture?.cleanup();
});

describe('the operator console in Chromium', () => {
  it('is served by the gateway under its strict CSP and signs in with the admin key', async () => {
    const response = await page.goto(`${stack?.gatewayUrl}/dashboard/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await byTestId('login-key').waitFor();
    await screenshot(page, 'sign-in');
    violations.set('sign-in', await seriousViolations(page));

    await signIn(api.admin);
    // the key stays in sessionStorage, out of every URL
    expect(page.url()).not.toContain(api.admin);
    expect(await page.evaluate(() => sessionStorage.getItem('nexus.key'))).toBe(api.admin);
    await byTestId('treasury-balance').waitFor();
    await page.getByText(/MNEE$/).first().waitFor();
    await byTestId('spend-chart').waitFor();
    await screenshot(page, 'overview');
    violations.set('overview', await seriousViolations(page));
  });

  it('shows the three agents, each with its budget bar', async () => {
    await openScreen('nav-agents', 'Agents', 'agents', 'agent-row-user-agent');
    for (const id of AGENTS) await byTestId(`agent-row-${id}`).waitFor();
    expect(await byTestIdPrefix('agent-row-').count()).toBe(AGENTS.length);
    expect(await dailySpent('user-agent')).toMatch(/^\d+(\.\d+)?$/);
  });

  it('shows a paid call made through the API in the live feed within 2 s, and moves the agent’s bar', async () => {
    await byTestId('nav-agents').click();
    const before = await dailySpent('user-agent');
    await openScreen('nav-feed', 'Live feed', 'feed');
    await page.getByTestId('stream-status').getByText('live').waitFor();

    const outcome = await api.invoke('user-agent', 'PRICE_ORACLE', { base: 'ETH' });
    if (!outcome.ok) throw new Error(`the paid call failed: ${outcome.status}`);
    const price = outcome.answer.payment?.amount ?? '';
    const answered = Date.now();
    await byTestId('feed-item').filter({ hasText: 'Payment SUCCESS' }).first().waitFor({ timeout: LIVE_WITHIN_MS });
    expect(Date.now() - answered).toBeLessThanOrEqual(LIVE_WITHIN_MS);
    await screenshot(page, 'feed');

    await byTestId('nav-agents').click();
    const expected = fromBaseUnits(toBaseUnits(before) + toBaseUnits(price));
    await page.waitForFunction(
      ([id, spent]) => document.querySelector(`[data-testid="agent-budget-${id}-daily"]`)?.getAttribute('data-spent') === spent,
      ['user-agent', expected] as const,
      { timeout: 10_000 },
    );
  });

  it('approves a pending call from the queue and sees it complete', async () => {
    await api.updateBudget('user-agent', { approvalAbove: '0.01' });
    const waiting = await api.invoke('user-agent', 'PRICE_ORACLE', { base: 'BTC' });
    await api.updateBudget('user-agent', { approvalAbove: null });
    if (!waiting.ok || waiting.status !== 202) throw new Error(`expected a call waiting for approval, got ${waiting.status}`);
    const approvalId = waiting.answer.approval?.id ?? '';

    await openScreen('nav-approvals', 'Approvals', 'approvals', `approval-row-${approvalId}`);
    await byTestId(`approval-approve-${approvalId}`).click();
    await page.getByRole('status').filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 30_000 });
    await byTestId(`approval-row-${approvalId}`).waitFor({ state: 'detached' });

    const payments = await api.transactions({ agentId: 'user-agent' });
    expect(payments.some((payment) => payment.status === 'SUCCESS' && payment.decisionId === waiting.answer.decision.id)).toBe(true);
    await byTestId('nav-feed').click();
    await byTestId('feed-item').filter({ hasText: 'Approval COMPLETED' }).first().waitFor({ timeout: LIVE_WITHIN_MS });
  });

  it('pauses an agent, and its next call shows rejected in the feed', async () => {
    await byTestId('nav-agents').click();
    await byTestId('agent-pause-batch-agent').click();
    await byTestId('agent-resume-batch-agent').waitFor();

    await byTestId('nav-feed').click();
    const outcome = await api.invoke('batch-agent', 'PRICE_ORACLE', { base: 'ETH' });
    expect(outcome.ok ? outcome.answer.decision.action : outcome.failure.decision?.action).toBe('REJECTED');
    await byTestId('feed-item').filter({ hasText: 'REJECTED AGENT_PAUSED' }).first().waitFor({ timeout: LIVE_WITHIN_MS });

    await byTestId('nav-agents').click();
    await byTestId('agent-resume-batch-agent').click();
    await byTestId('agent-pause-batch-agent').waitFor();
    expect((await api.agent('batch-agent')).paused).toBe(false);
  });

  it('lists history, alerts and webhooks', async () => {
    await openScreen('nav-history', 'History', 'history', 'tx-row-');
    const rows = byTestIdPrefix('tx-row-');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    await openScreen('nav-alerts', 'Alerts', 'alerts');
    await openScreen('nav-webhooks', 'Webhooks', 'webhooks');
  });

  it('draws the spend of those calls on the overview', async () => {
    await byTestId('nav-overview').click();
    await page.locator('[data-testid="spend-chart"] .recharts-bar-rectangle').first().waitFor();
    await byTestId('spend-total')
      .getByText(/[1-9]\d* payments/)
      .waitFor();
    await screenshot(page, 'overview-after-calls');
    violations.set('overview-after-calls', await seriousViolations(page));
  });

  it('gives an agent key its own agent only, read-only', async () => {
    await byTestId('sign-out').click();
    await signIn(api.keyOf('user-agent'));
    await byTestId('nav-agents').click();
    await byTestId('agent-row-user-agent').waitFor();
    expect(await byTestIdPrefix('agent-row-').count()).toBe(1);
    expect(await byTestId('agent-pause-user-agent').count()).toBe(0);
    expect(await byTestId('nav-approvals').count()).toBe(0);
    await screenshot(page, 'agents-as-agent');
    violations.set('agents-as-agent', await seriousViolations(page));

    // its overview and history load (no refusal shown), with its own payments only
    await byTestId('nav-overview').click();
    await byTestId('treasury-balance').waitFor();
    await byTestId('spend-total').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await byTestId('nav-history').click();
    await byTestIdPrefix('tx-row-').first().waitFor();
    const ownPayments = (await api.transactions({ agentId: 'user-agent' })).map((payment) => `tx-row-${payment.id}`);
    const shown = await byTestIdPrefix('tx-row-').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((id) => id !== null && ownPayments.includes(id))).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('broke no Content-Security-Policy rule and has no serious accessibility violation on any screen', () => {
    expect(problems).toEqual([]);
    expect([...violations.keys()].sort()).toEqual(
      [
        'agents',
        'agents-as-agent',
        'alerts',
        'approvals',
        'feed',
        'history',
        'overview',
        'overview-after-calls',
        'sign-in',
        'webhooks',
      ].sort(),
    );
    expect(Object.fromEntries([...violations].filter(([, found]) => found.length > 0))).toEqual({});
  });
});
