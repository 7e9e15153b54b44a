import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Approval } from '@nexus/types';
import { agentHolder, renderScreen } from '../../testing/render-screen';
import { fakeGateway, type FakeCall, type FakeRoutes } from '../../testing/fake-gateway';
import { ApprovalsScreen, relativeTime } from './approvals-screen';

const MINUTE = 60_000;

function approvalFixture(id: string, changes: Partial<Approval> = {}): Approval {
  return {
    id,
    status: 'PENDING',
    decisionId: `dec_${id.slice(4)}`,
    reservationId: `res_${id.slice(4)}`,
    agentId: 'batch-agent',
    serviceId: 'IMAGE_GEN',
    variant: 'hd',
    amount: '0.75',
    createdAt: new Date(Date.now() - MINUTE).toISOString(),
    expiresAt: new Date(Date.now() + 4 * MINUTE + 10_000).toISOString(),
    decidedBy: null,
    decidedAt: null,
    reason: null,
    outcome: null,
    completedAt: null,
    ...changes,
  };
}

const decisionOf = (approval: Approval) => ({
  id: approval.decisionId,
  action: 'ALLOWED' as const,
  reason: 'WITHIN_POLICY' as const,
  message: 'allowed',
  variant: approval.variant,
  amount: approval.amount,
  agentId: approval.agentId,
  serviceId: approval.serviceId,
  requestedVariant: approval.variant,
  createdAt: approval.createdAt,
});

const completed = (approval: Approval): Approval => ({
  ...approval,
  status: 'COMPLETED',
  decidedBy: 'admin',
  decidedAt: new Date().toISOString(),
  completedAt: new Date().toISOString(),
  outcome: {
    status: 200,
    body: {
      decision: decisionOf(approval),
      payment: {
        id: 'pay_0123456789abcdef0123456789abcdef',
        status: 'SUCCESS',
        mode: 'chain',
        amount: approval.amount,
        txHash: null,
        agentId: approval.agentId,
        serviceId: approval.serviceId,
        decisionId: approval.decisionId,
        createdAt: approval.createdAt,
        refund: null,
      },
      result: { url: 'https://example.test/image.png' },
    },
  },
});

/** GET /approvals answers the queue for `status=PENDING`, and every approval without a filter. */
function approvalsRoute(list: () => Approval[]): FakeRoutes[string] {
  return (call: FakeCall) => {
    const pendingOnly = new URLSearchParams(call.path.split('?')[1] ?? '').get('status') === 'PENDING';
    return { status: 200, body: { items: list().filter((a) => !pendingOnly || a.status === 'PENDING'), nextCursor: null } };
  };
}

describe('approvals screen', () => {
  it('lists the pending approvals with the contract test ids, amount, agent, service, variant and expiry', async () => {
    const gateway = fakeGateway({
      'GET /approvals': approvalsRoute(() => [
        approvalFixture('apr_one'),
        approvalFixture('apr_two', { agentId: 'user-agent', serviceId: 'PRICE_ORACLE', variant: 'fast', amount: '0.05' }),
        approvalFixture('apr_old', { status: 'DENIED', decidedBy: 'admin', reason: 'too dear' }),
      ]),
    });
    renderScreen(<ApprovalsScreen />);

    const row = await screen.findByTestId('approval-row-apr_one');
    expect(row).toHaveTextContent('0.75 MNEE');
    expect(row).toHaveTextContent('batch-agent');
    expect(row).toHaveTextContent('IMAGE_GEN');
    expect(row).toHaveTextContent('hd');
    expect(row).toHaveTextContent('expires in 4 min');
    expect(within(row).getByTestId('approval-approve-apr_one')).toHaveTextContent('Approve');
    expect(within(row).getByTestId('approval-deny-apr_one')).toHaveTextContent('Deny');
    expect(screen.getByTestId('approval-row-apr_two')).toHaveTextContent('PRICE_ORACLE');
    expect(screen.queryByTestId('approval-row-apr_old')).not.toBeInTheDocument();
    expect(await screen.findByTestId('approval-answered-apr_old')).toHaveTextContent('too dear');
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(gateway.calls.some((call) => call.path === '/approvals?status=PENDING')).toBe(true);
  });

  it('approves with POST /approvals/<id>/approve, shows the outcome and refreshes the queue', async () => {
    let approvals = [approvalFixture('apr_one')];
    const gateway = fakeGateway({
      'GET /approvals': approvalsRoute(() => approvals),
      'POST /approvals/apr_one/approve': () => {
        approvals = approvals.map(completed);
        return { status: 200, body: approvals[0] };
      },
    });
    renderScreen(<ApprovalsScreen />);

    await userEvent.type(await screen.findByLabelText('Reason'), 'looks right');
    await userEvent.click(screen.getByTestId('approval-approve-apr_one'));

    const notice = await screen.findByRole('status');
    expect(notice).toHaveTextContent('Approval apr_one is COMPLETED');
    expect(notice).toHaveTextContent('payment pay_0123456789abcdef0123456789abcdef of 0.75 MNEE');
    expect(gateway.callsTo('POST', '/approvals/apr_one/approve')[0]?.body).toEqual({ reason: 'looks right' });
    expect(await screen.findByTestId('approvals-empty')).toBeInTheDocument();
    expect(screen.getByTestId('approval-answered-apr_one')).toHaveTextContent('COMPLETED');
  });

  it('shows a FAILED outcome with its error', async () => {
    const failed: Approval = {
      ...approvalFixture('apr_one'),
      status: 'FAILED',
      reason: 'the provider failed',
      outcome: {
        status: 502,
        body: {
          error: { code: 'PROVIDER_FAILED', message: 'the provider failed' },
          decision: decisionOf(approvalFixture('apr_one')),
          payment: null,
          refund: null,
        },
      },
    };
    fakeGateway({
      'GET /approvals': approvalsRoute(() => [approvalFixture('apr_one')]),
      'POST /approvals/apr_one/approve': failed,
    });
    renderScreen(<ApprovalsScreen />);

    await userEvent.click(await screen.findByTestId('approval-approve-apr_one'));

    const notice = await screen.findByRole('status');
    expect(notice).toHaveTextContent('Approval apr_one is FAILED');
    expect(notice).toHaveTextContent('PROVIDER_FAILED: the provider failed');
  });

  it('denies with POST /approvals/<id>/deny, without a reason when none was typed', async () => {
    let approvals = [approvalFixture('apr_one')];
    const gateway = fakeGateway({
      'GET /approvals': approvalsRoute(() => approvals),
      'POST /approvals/apr_one/deny': () => {
        approvals = approvals.map((a) => ({ ...a, status: 'DENIED' as const, decidedBy: 'admin', decidedAt: new Date().toISOString() }));
        return { status: 200, body: approvals[0] };
      },
    });
    renderScreen(<ApprovalsScreen />);

    await userEvent.click(await screen.findByTestId('approval-deny-apr_one'));

    expect(await screen.findByRole('status')).toHaveTextContent('Approval apr_one is DENIED');
    expect(gateway.callsTo('POST', '/approvals/apr_one/deny')[0]?.body).toEqual({});
    expect(gateway.callsTo('POST', '/approvals/apr_one/approve')).toHaveLength(0);
    expect(await screen.findByTestId('approvals-empty')).toBeInTheDocument();
  });

  it("shows the API's refusal of an answer, e.g. an approval already answered", async () => {
    fakeGateway({
      'GET /approvals': approvalsRoute(() => [approvalFixture('apr_one')]),
      'POST /approvals/apr_one/approve': () => ({
        status: 409,
        body: { error: { code: 'APPROVAL_NOT_PENDING', message: 'the approval was already answered' } },
      }),
    });
    renderScreen(<ApprovalsScreen />);

    await userEvent.click(await screen.findByTestId('approval-approve-apr_one'));

    expect(await screen.findByRole('alert')).toHaveTextContent('APPROVAL_NOT_PENDING: the approval was already answered');
  });

  it('says so when the queue is empty', async () => {
    fakeGateway({ 'GET /approvals': approvalsRoute(() => []) });
    renderScreen(<ApprovalsScreen />);

    expect(await screen.findByTestId('approvals-empty')).toHaveTextContent('No approvals are waiting.');
    expect(screen.queryByTestId(/^approval-row-/)).not.toBeInTheDocument();
  });

  it('asks nothing of the API for an agent key', async () => {
    const gateway = fakeGateway({});
    renderScreen(<ApprovalsScreen />, { holder: agentHolder('user-agent') });

    expect(await screen.findByText(/Approvals are the admin/)).toBeInTheDocument();
    expect(gateway.callsTo('GET', '/approvals')).toHaveLength(0);
  });
});

describe('relativeTime', () => {
  it('says how far a time is from now', () => {
    const now = Date.parse('2026-12-05T10:00:00.000Z');
    expect(relativeTime('2026-12-05T10:04:00.000Z', now)).toBe('in 4 min');
    expect(relativeTime('2026-12-05T10:00:30.000Z', now)).toBe('in 30 s');
    expect(relativeTime('2026-12-05T09:58:00.000Z', now)).toBe('2 min ago');
    expect(relativeTime('2026-12-05T12:30:00.000Z', now)).toBe('in 2.5 h');
  });
});
