import { stackProcessTree } from './process-tree';

describe('the npm start process tree', () => {
  it('names each process for its service, the Hardhat node by its command, the rest after their nearest named ancestor', () => {
    const children: Record<number, number[]> = { 10: [11, 12, 13, 14], 12: [20], 13: [30], 30: [31] };
    const commands: Record<number, string> = {
      10: 'node --import tsx tools/stack/start.ts',
      13: 'node hardhat/internal/cli.js node',
      14: 'esbuild --service',
    };
    const tree = stackProcessTree(
      10,
      [
        { project: 'gateway', pid: 11 },
        { project: 'policy', pid: 12 },
        { project: 'logger', pid: 99 },
      ],
      { children: (pid) => children[pid] ?? [], command: (pid) => commands[pid] ?? '' },
    );
    expect(tree).toEqual([
      { project: 'launcher', pid: 10 },
      { project: 'gateway', pid: 11 },
      { project: 'policy', pid: 12 },
      { project: 'policy', pid: 20 },
      { project: 'hardhat node', pid: 13 },
      { project: 'hardhat node', pid: 30 },
      { project: 'hardhat node', pid: 31 },
      { project: 'launcher', pid: 14 },
      { project: 'logger', pid: 99 },
    ]);
  });
});
