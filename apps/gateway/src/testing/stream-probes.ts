import { openSseStream, type SseStream } from '@nexus/service-kit/testing';
import { InvokeAnswer, StreamEvent } from '@nexus/types';
import type { GatewayUnderTest } from './gateway-under-test';

/** The `data:` of each message so far, parsed with the public contract. */
export const eventsOf = (stream: SseStream): StreamEvent[] => stream.messages.map((message) => StreamEvent.parse(JSON.parse(message.data)));

/** Events of one paid call: its decision and its payment carry the decision's id. */
export const ofDecision = (stream: SseStream, decisionId: string): StreamEvent[] =>
  eventsOf(stream).filter((event) => event.event['decisionId'] === decisionId);

/** Opens `GET /events/stream` on a gateway served over loopback, with these headers (a key, a Last-Event-ID). */
export const openGatewayStream = (baseUrl: string, query = '', headers: Record<string, string> = {}): Promise<SseStream> =>
  openSseStream(`${baseUrl}/events/stream${query}`, headers);

/** A paid call (PRICE_ORACLE, 0.01 or so) as `who`; its answer. */
export async function paidCall(gw: GatewayUnderTest, who: string): Promise<InvokeAnswer> {
  const res = await gw.http
    .post('/tools/PRICE_ORACLE/invoke')
    .set(gw.auth(who))
    .send({ input: { base: 'ETH' } });
  if (res.status !== 200) throw new Error(`the paid call answered ${res.status}: ${res.text.slice(0, 300)}`);
  return InvokeAnswer.parse(res.body);
}
