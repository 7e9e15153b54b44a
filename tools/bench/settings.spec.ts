import { BenchUsageError, benchSettings } from './settings';

describe('bench settings', () => {
  it('runs every section for 5 s by default', () => {
    expect(benchSettings([], {})).toEqual({
      seconds: 5,
      warmupSeconds: 1,
      batchSize: 100,
      sections: ['limit', 'decide', 'gateway', 'settlement'],
      skipBuild: false,
      profile: false,
    });
  });

  it('takes the run length and batch size from the environment, and sections in their own order', () => {
    const settings = benchSettings(['--only=settlement,limit', '--skip-build'], { BENCH_SECONDS: '20', BENCH_BATCH_SIZE: '50' });
    expect(settings).toMatchObject({ seconds: 20, warmupSeconds: 4, batchSize: 50, sections: ['limit', 'settlement'], skipBuild: true });
  });

  it('refuses an unknown section, argument or a bad number', () => {
    expect(() => benchSettings(['--only=decide,memory'], {})).toThrow(BenchUsageError);
    expect(() => benchSettings(['--fast'], {})).toThrow(/unknown argument --fast/);
    expect(() => benchSettings([], { BENCH_SECONDS: 'soon' })).toThrow(/BENCH_SECONDS/);
  });
});
