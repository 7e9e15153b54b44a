import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '../stack/build';
import { placeOfFile, summarizeCpuProfile } from './cpu-profile';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

describe('CPU profile summary', () => {
  it('names the npm package, or the workspace project, a file belongs to', () => {
    expect(placeOfFile(join(workspaceRoot, 'node_modules/@scope/pkg/lib/x.js'), 3).module).toBe('@scope/pkg');
    expect(placeOfFile('../../../node_modules/kysely/dist/cjs/a.js', 1).module).toBe('kysely');
    expect(placeOfFile('../../../libs/stores/src/database.ts', 126)).toEqual({
      module: 'libs/stores',
      where: 'libs/stores/src/database.ts:126',
    });
  });

  it('adds self time per function and per module, idle time and the profiler start left out, native code named by its caller', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-profile-')), 'CPU.bench.1.cpuprofile');
    const express = `file://${join(workspaceRoot, 'node_modules/express/lib/router.js')}`;
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [
          { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 7, 5] },
          { id: 2, callFrame: frame('(idle)', '') },
          { id: 3, callFrame: frame('handle', express) },
          { id: 7, callFrame: frame('writevGeneric', 'node:internal/stream_base_commons'), children: [4] },
          { id: 4, callFrame: frame('writev', '') },
          { id: 5, callFrame: frame('', `file://${join(workspaceRoot, 'tools/bench/cpu-profile-preload.ts')}`), children: [6] },
          { id: 6, callFrame: frame('dispatch', '') },
        ],
        samples: [2, 3, 4, 3, 6, 2],
        timeDeltas: [5000, 3000, 1000, 3000, 9000, 5000],
      }),
    );
    const summary = summarizeCpuProfile('test', file);
    expect(summary.totalMs).toBe(7);
    expect(summary.topFunctions.map((entry) => [entry.name, entry.selfMs])).toEqual([
      ['handle', 6],
      ['writev', 1],
    ]);
    expect(summary.topModules.map((entry) => entry.module)).toEqual(['express', 'socket writes (syscalls)']);
  });
});
