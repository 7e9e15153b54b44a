/**
 * Preloaded into the processes of a profiled run (NODE_OPTIONS="--require
 * tsx/cjs --require <this file>": Node 20 refuses --cpu-prof in
 * NODE_OPTIONS, and --cpu-prof would profile the start-up too). In a service
 * bundle (dist/apps/<project>/main.js) it starts the V8 profiler on SIGUSR2,
 * once the load is on, and when the process exits writes what
 * `node --cpu-prof` would to $BENCH_CPU_PROFILE_DIR/CPU.bench.<pid>.cpuprofile.
 * Other processes (the launcher) are left alone.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env['BENCH_CPU_PROFILE_DIR'];
if (dir && /dist\/apps\/[^/]+\/main\.js$/.test(process.argv[1] ?? '')) {
  const session = new Session();
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
  });
  // The in-process inspector answers synchronously, so this completes inside the exit handler.
  process.on('exit', () => {
    if (!started) return;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `CPU.bench.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
