import request from 'supertest';
import type { Express } from 'express';
import { authAs } from '@nexus/service-kit/testing';
import { decisionEvent, transactionEvent } from './events';

/**
 * Stores one event through the logger's own `POST /events` (as the gateway
 * sends it), so it reaches the live log: a decision, a payment (SUCCESS) or
 * a refund (REFUNDED). Its id back.
 */
export async function emitEvent(app: Express, type: 'decision' | 'payment' | 'refund', id: string): Promise<string> {
  const now = new Date().toISOString();
  const event =
    type === 'decision'
      ? decisionEvent(id, { occurredAt: now })
      : transactionEvent(id, { occurredAt: now, status: type === 'refund' ? 'REFUNDED' : 'SUCCESS' });
  const response = await request(app)
    .post('/events')
    .set(authAs('gateway'))
    .send({ events: [event] });
  if (response.status !== 201) throw new Error(`POST /events answered ${response.status}: ${JSON.stringify(response.body)}`);
  return id;
}
