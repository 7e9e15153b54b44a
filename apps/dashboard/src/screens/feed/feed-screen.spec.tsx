import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeEventSource } from '../../testing/fake-event-source';
import { fakeGateway } from '../../testing/fake-gateway';
import { streamEventFixture, treasuryFixture } from '../../testing/fixtures';
import { renderScreen } from '../../testing/render-screen';
import { FeedScreen } from './feed-screen';

const decision = streamEventFixture('decision', {
  event: { action: 'ALLOWED', reason: 'WITHIN_POLICY', amount: '0.05', variant: 'spot', message: 'within budget', decisionId: 'dec_1' },
});
const payment = streamEventFixture('payment', {
  event: { status: 'SUCCESS', amount: '0.05', txHash: `0x${'ab'.repeat(32)}`, reason: null, paymentId: `pay_${'0'.repeat(31)}1` },
});
const rejected = streamEventFixture('decision', {
  agentId: 'batch-agent',
  event: { action: 'REJECTED', reason: 'AGENT_PAUSED', amount: null, variant: null, message: 'batch-agent is paused' },
});

async function openStream() {
  await waitFor(() => expect(FakeEventSource.instances.length).toBe(1));
  const source = FakeEventSource.latest();
  act(() => source.open());
  return source;
}

describe('live feed', () => {
  it('shows decisions and payments as they arrive, newest first, with the tx hash', async () => {
    fakeGateway({ 'GET /treasury': treasuryFixture({ explorerTxUrl: 'https://explorer.test/tx/{hash}' }) });
    renderScreen(<FeedScreen />);
    const source = await openStream();
    act(() => {
      source.send(11, 'decision', decision);
      source.send(12, 'payment', payment);
    });
    const items = await screen.findAllByTestId('feed-item');
    expect(items.map((item) => item.dataset['seq'])).toEqual(['12', '11']);
    expect(items[0]).toHaveTextContent('Payment SUCCESS');
    expect(items[1]).toHaveTextContent('ALLOWED WITHIN_POLICY');
    await waitFor(() => expect(items[0]?.querySelector('a')).toHaveAttribute('href', `https://explorer.test/tx/0x${'ab'.repeat(32)}`));
  });

  it('holds still while pointed at, counting what waits, and catches up on leaving', async () => {
    fakeGateway({ 'GET /treasury': treasuryFixture() });
    renderScreen(<FeedScreen />);
    const source = await openStream();
    act(() => source.send(1, 'decision', decision));
    const feed = await screen.findByTestId('feed');
    fireEvent.mouseEnter(feed);
    act(() => {
      source.send(2, 'payment', payment);
      source.send(3, 'decision', rejected);
    });
    expect(screen.getAllByTestId('feed-item')).toHaveLength(1);
    expect(screen.getByTestId('feed-paused')).toHaveTextContent('2 new events waiting');
    fireEvent.mouseLeave(feed);
    expect(screen.getAllByTestId('feed-item')).toHaveLength(3);
    expect(screen.getAllByTestId('feed-item')[0]).toHaveTextContent('REJECTED AGENT_PAUSED');
  });

  it('pauses with the button too, for a keyboard', async () => {
    fakeGateway({ 'GET /treasury': treasuryFixture() });
    renderScreen(<FeedScreen />);
    const source = await openStream();
    await userEvent.click(screen.getByTestId('feed-pause'));
    act(() => source.send(1, 'decision', decision));
    expect(screen.queryAllByTestId('feed-item')).toHaveLength(0);
    await userEvent.click(screen.getByTestId('feed-pause'));
    expect(screen.getAllByTestId('feed-item')).toHaveLength(1);
  });

  it('reconnects after a drop with a new ticket, resuming after the last event it saw', async () => {
    const gateway = fakeGateway({ 'GET /treasury': treasuryFixture() });
    renderScreen(<FeedScreen />);
    const first = await openStream();
    act(() => first.send(41, 'decision', decision));
    vi.useFakeTimers({ shouldAdvanceTime: true });
    act(() => first.fail());
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_500);
    });
    vi.useRealTimers();
    await waitFor(() => expect(FakeEventSource.instances.length).toBe(2));
    const second = FakeEventSource.latest();
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    expect(new URL(second.url, 'http://x').searchParams.get('after')).toBe('41');
    expect(gateway.callsTo('POST', '/events/tickets')).toHaveLength(2);
    act(() => {
      second.open();
      second.send(42, 'payment', payment);
    });
    expect(screen.getAllByTestId('feed-item').map((item) => item.dataset['seq'])).toEqual(['42', '41']);
  });
});
