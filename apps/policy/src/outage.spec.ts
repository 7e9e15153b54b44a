import request from 'supertest';
import { createTemporaryPostgres } from '@nexus/stores/testing';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest } from './testing/policy-harness';

describe('policy service when its PostgreSQL store goes away', () => {
  it('answers 503 SERVICE_UNAVAILABLE (not 500) and reports itself unhealthy', async () => {
    const database = await createTemporaryPostgres();
    const policy = await createPolicyUnderTest({ config: ruleTestConfig(), databaseUrl: database.url });
    const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
    try {
      const ok = await request(policy.app)
        .post('/decisions')
        .set(auth)
        .send({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'before' });
      expect(ok.status).toBe(201);

      await database.drop();

      const decide = await request(policy.app)
        .post('/decisions')
        .set(auth)
        .send({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'after' });
      expect(decide.status).toBe(503);
      expect(decide.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('retry') });
      expect(JSON.stringify(decide.body)).not.toMatch(/nexus_test_|3D000|stack/);
      const commit = await request(policy.app).post(`/reservations/${ok.body.reservationId}/commit`).set(auth).send({});
      expect(commit.status).toBe(503);
      expect((await request(policy.app).get('/agents').set(auth)).status).toBe(503);
      const health = await request(policy.app).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.checks.store.status).toBe('failing');
    } finally {
      await policy.close();
      await database.drop();
    }
  });
});
