import { parseCpuTicks, parseMachineBusyTicks } from './cpu-usage';
import { parseVmRss } from './memory';

describe('reading /proc', () => {
  it('reads the resident set size in MB from a status file', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t 999999 kB\nVmRSS:\t  153600 kB\nRssAnon:\t 1 kB\n')).toBe(150);
    expect(parseVmRss('Name:\tkthreadd\n')).toBeUndefined();
  });

  it('adds user and system ticks of a stat line, even when the command has spaces and parentheses', () => {
    const stat = '4242 (node (gateway) x) S 1 4242 4242 0 -1 4194304 122 0 0 0 1500 250 0 0 20 0 11 0 100 0 0';
    expect(parseCpuTicks(stat)).toBe(1750);
  });

  it('counts the machine busy in every state but idle and iowait', () => {
    expect(parseMachineBusyTicks('cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\n')).toBe(161);
    expect(parseMachineBusyTicks('intr 1 2 3\n')).toBeUndefined();
  });
});
