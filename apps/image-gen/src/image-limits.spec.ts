import type { ServiceConfig } from '@nexus/config';
import { ConfigError } from '@nexus/config';
import { loadImageLimits } from './image-limits';

const service = (variants: string[]): ServiceConfig => ({
  id: 'IMAGE_GEN',
  name: 'Image generation',
  providerUrl: 'http://127.0.0.1:8001',
  payee: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  defaultVariant: variants[0] ?? 'standard',
  variants: variants.map((id) => ({ id, price: '0.10' })),
  pressureDowngrade: true,
});

function problemsOf(load: () => unknown) {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadImageLimits', () => {
  it('renders a standard image up to 1024 px a side and a draft up to 256 by default', () => {
    const limits = loadImageLimits(service(['standard', 'draft']), {});

    expect(Object.fromEntries(limits)).toEqual({ standard: { maxWidth: 1024, maxHeight: 1024 }, draft: { maxWidth: 256, maxHeight: 256 } });
  });

  it('takes a variant limit from IMAGE_GEN_MAX_SIDE_<VARIANT>', () => {
    const limits = loadImageLimits(service(['standard', 'draft']), { IMAGE_GEN_MAX_SIDE_DRAFT: '128', IMAGE_GEN_MAX_SIDE_STANDARD: '' });

    expect(limits.get('draft')).toEqual({ maxWidth: 128, maxHeight: 128 });
    expect(limits.get('standard')).toEqual({ maxWidth: 1024, maxHeight: 1024 });
  });

  it('refuses to start listing every bad limit and every variant without one', () => {
    const problems = problemsOf(() =>
      loadImageLimits(service(['standard', 'draft', 'poster']), { IMAGE_GEN_MAX_SIDE_STANDARD: '4096', IMAGE_GEN_MAX_SIDE_DRAFT: 'big' }),
    );

    expect(problems).toEqual([
      { source: 'environment variable IMAGE_GEN_MAX_SIDE_STANDARD', path: '', message: 'must be at most 2048' },
      { source: 'environment variable IMAGE_GEN_MAX_SIDE_DRAFT', path: '', message: expect.stringMatching(/number/) },
      {
        source: 'environment variable IMAGE_GEN_MAX_SIDE_POSTER',
        path: '',
        message: 'is required: variant "poster" has no default size limit',
      },
    ]);
  });
});
