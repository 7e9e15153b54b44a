import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import request from 'supertest';
import { useProviderUnderTest } from '@nexus/provider-kit/testing';
import { ErrorBody, ImageGenLimits, ImageGenResult, InvokeResponse } from '@nexus/types';
import { buildImageGen } from './build-image-gen';
import { renderImage } from './render/render-image';

const resultOf = (body: unknown) => {
  const answer = InvokeResponse.parse(body);
  return { answer, image: ImageGenResult.parse(answer.result) };
};

describe('IMAGE_GEN paid in mock mode', () => {
  const provider = useProviderUnderTest(buildImageGen, { serviceId: 'IMAGE_GEN' });

  it('renders a standard PNG for a paid call and serves the same bytes again for free', async () => {
    const { payment, headers } = await provider.pay({ variant: 'standard' });
    const response = await provider
      .invoke({ variant: 'standard', input: { prompt: 'a snowy mountain at sunset', width: 640, height: 480 } }, headers)
      .expect(200);
    const { answer, image } = resultOf(response.body);
    const bytes = Buffer.from(image.data, 'base64');

    expect(answer).toMatchObject({ serviceId: 'IMAGE_GEN', variant: 'standard', payment: { paymentId: payment.id, amount: '0.50' } });
    expect(image).toMatchObject({ format: 'png', mediaType: 'image/png', width: 640, height: 480, byteLength: bytes.length });
    expect(image.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(image.url).toBe(`/images/${image.contentHash}`);
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([640, 480]);

    const again = await request(provider.app).get(image.url).buffer(true).expect(200);
    expect(again.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(again.body as Buffer, bytes)).toBe(0);
  });

  it('renders a draft SVG byte for byte as the renderer does for the same prompt, seed and size', async () => {
    const { payment, headers } = await provider.pay({ variant: 'draft' });
    const input = { prompt: 'city skyline at night', width: 256, height: 128, format: 'svg', seed: 7 } as const;
    const response = await provider.invoke({ variant: 'draft', input }, headers).expect(200);
    const { answer, image } = resultOf(response.body);
    const expected = renderImage(input);

    expect(answer).toMatchObject({ variant: 'draft', payment: { paymentId: payment.id, amount: '0.20' } });
    expect(image).toMatchObject({ format: 'svg', mediaType: 'image/svg+xml', width: 256, height: 128, seed: 7 });
    expect(Buffer.from(image.data, 'base64').equals(expected.bytes)).toBe(true);
    expect(image.contentHash).toBe(expected.contentHash);

    const again = await request(provider.app).get(`/images/${image.contentHash.toUpperCase()}`).buffer(true).expect(200);
    expect(again.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(Buffer.from(again.body as Buffer).equals(expected.bytes)).toBe(true);
  });

  it('refuses an image too large for the draft variant before taking the payment, which then pays for a draft that fits', async () => {
    const { payment, headers } = await provider.pay({ variant: 'draft' });
    const refused = await provider
      .invoke({ variant: 'draft', input: { prompt: 'green hills', width: 512, height: 300 } }, headers)
      .expect(400);

    expect(ErrorBody.parse(refused.body).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [
        { path: 'body.input.width', message: 'must be at most 256 for the draft variant' },
        { path: 'body.input.height', message: 'must be at most 256 for the draft variant' },
      ],
    });
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();

    const served = await provider
      .invoke({ variant: 'draft', input: { prompt: 'green hills', width: 256, height: 256 } }, headers)
      .expect(200);
    expect(resultOf(served.body).answer.payment.paymentId).toBe(payment.id);
  });

  it('prechecks for free: a 512 px image is refused for draft (its 256 px limit) and taken for standard', async () => {
    const input = { prompt: 'green hills', width: 512, height: 200 };
    const refused = await request(provider.app).post('/precheck').send({ variant: 'draft', input }).expect(400);
    expect(refused.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [expect.objectContaining({ path: 'body.input.width', message: 'must be at most 256 for the draft variant' })],
    });
    expect((await request(provider.app).post('/precheck').send({ variant: 'standard', input }).expect(200)).body).toEqual({ ok: true });
  });

  it('answers bad input with 400 and every problem, without asking for payment', async () => {
    const response = await provider
      .invoke({
        input: { prompt: 'a\u0000b', width: 12.5, height: 99_999, format: 'gif', seed: -1, extra: true },
      })
      .expect(400);
    const body = ErrorBody.parse(response.body);

    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details?.map((d) => d.path).sort()).toEqual([
      'body.input',
      'body.input.format',
      'body.input.height',
      'body.input.prompt',
      'body.input.seed',
      'body.input.width',
    ]);
    await provider.invoke({ input: { prompt: '   ' } }).expect(400);
    await provider.invoke({ input: { prompt: 'x'.repeat(1001) } }).expect(400);
  });

  it('answers 404 IMAGE_NOT_FOUND for a hash it never rendered and 400 for one that is no hash', async () => {
    const missing = await request(provider.app)
      .get(`/images/${'a'.repeat(64)}`)
      .expect(404);
    const malformed = await request(provider.app).get('/images/not-a-hash').expect(400);

    expect(ErrorBody.parse(missing.body).error.code).toBe('IMAGE_NOT_FOUND');
    expect(ErrorBody.parse(malformed.body).error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'params.contentHash' }] });
  });

  it('lists the size limit of each variant for free', async () => {
    const response = await request(provider.app).get('/limits').expect(200);

    expect(ImageGenLimits.parse(response.body)).toEqual({
      variants: [
        { id: 'standard', maxWidth: 1024, maxHeight: 1024 },
        { id: 'draft', maxWidth: 256, maxHeight: 256 },
      ],
      formats: ['png', 'svg'],
    });
  });

  it('counts renders and reads in its metrics and reports healthy', async () => {
    await request(provider.app).get('/health').expect(200);
    const metrics = await request(provider.app).get('/metrics').expect(200);

    expect(metrics.text).toMatch(/image_gen_renders_total\{format="png",variant="standard",service="image-gen"\} [1-9]/);
    expect(metrics.text).toMatch(/image_gen_renders_total\{format="svg",variant="draft",service="image-gen"\} [1-9]/);
    expect(metrics.text).toMatch(/image_gen_image_reads_total\{found="false",service="image-gen"\} [1-9]/);
  });

  it('still serves its images after a restart on the same data directory', async () => {
    const { headers } = await provider.pay({ variant: 'draft' });
    const response = await provider
      .invoke({ variant: 'draft', input: { prompt: 'desert dunes', width: 100, height: 100, seed: 3 } }, headers)
      .expect(200);
    const { image } = resultOf(response.body);

    await provider.restart();

    const again = await request(provider.app).get(image.url).buffer(true).expect(200);
    expect(Buffer.from(again.body as Buffer).toString('base64')).toBe(image.data);
  });
});

describe('IMAGE_GEN paid on a local chain', () => {
  const provider = useProviderUnderTest(buildImageGen, { serviceId: 'IMAGE_GEN', mode: 'chain', timeoutMs: 120_000 });

  it('renders for a payment settled through the router, proven by its transaction', async () => {
    const { payment, headers } = await provider.pay({ variant: 'standard' });
    const response = await request(provider.app)
      .post('/invoke')
      .set(headers)
      .send({ input: { prompt: 'pine forest by a lake at dawn', width: 1024, height: 1024 } })
      .expect(200);
    const { answer, image } = resultOf(response.body);

    expect(payment.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(answer).toMatchObject({ variant: 'standard', payment: { paymentId: payment.id, txHash: payment.txHash, amount: '0.50' } });
    expect(image).toMatchObject({ format: 'png', width: 1024, height: 1024 });
    expect(PNG.sync.read(Buffer.from(image.data, 'base64')).width).toBe(1024);
  });
});
