import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { workspaceRoot } from '../stack/build';
import type { ProfileSummary } from './report';

/** The parts of a V8 .cpuprofile (`node --cpu-prof`) a summary needs. */
const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type CallFrame = z.infer<typeof CpuProfile>['nodes'][number]['callFrame'];

/** Where a frame's code lives: an original source file (through the bundle's source map), a package, or Node itself. */
interface Place {
  module: string;
  where: string;
}

const VIRTUAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Resolves frames of dist/apps bundles to their sources with the bundle's .map, once per bundle. */
class Places {
  private readonly maps = new Map<string, SourceMap | null>();

  /** `caller`: the frame that called this one, to say what a native function is doing. */
  of(frame: CallFrame, caller: CallFrame | undefined): Place {
    if (VIRTUAL.has(frame.functionName) && frame.url === '') return { module: frame.functionName, where: '' };
    if (frame.url === '') return { module: nativeModule(caller), where: '' };
    if (frame.url.startsWith('node:')) return { module: 'node (built-in)', where: frame.url };
    const path = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
    const original = this.original(path, frame);
    return placeOfFile(original?.file ?? path, original?.line ?? frame.lineNumber + 1);
  }

  private original(path: string, frame: CallFrame): { file: string; line: number } | undefined {
    if (!this.maps.has(path)) this.maps.set(path, existsSync(`${path}.map`) ? loadMap(`${path}.map`) : null);
    const map = this.maps.get(path);
    if (!map) return undefined;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!('originalSource' in entry)) return undefined;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return { file: source, line: entry.originalLine + 1 };
  }
}

/** A native function named for what calls it: SQLite statements, socket writes, or native code in general. */
function nativeModule(caller: CallFrame | undefined): string {
  if (caller?.url.includes('/dialect/sqlite/')) return 'SQLite (better-sqlite3)';
  if (caller?.url === 'node:internal/stream_base_commons') return 'socket writes (syscalls)';
  return '(native)';
}

function loadMap(path: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload);
  } catch {
    return null;
  }
}

/** A file's module: the npm package under node_modules, else the workspace project (libs/x, apps/y). */
export function placeOfFile(file: string, line: number): Place {
  const path = file.replace(/\\/g, '/');
  const local = isAbsolute(path) ? relative(workspaceRoot, path) : path.replace(/^(\.\.\/)+/, '');
  const where = `${local}:${line}`;
  const npmPackage = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(local)?.[1];
  if (npmPackage) return { module: npmPackage, where };
  const project = /^((?:apps|libs|tools)\/[^/]+)\//.exec(local)?.[1];
  return { module: project ?? local, where };
}

/** The nodes under the preload's own frames (starting the profiler): not the service's time. */
function profilerOwnNodes(nodes: z.infer<typeof CpuProfile>['nodes']): Set<number> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const ignored = new Set<number>();
  const mark = (id: number) => {
    if (ignored.has(id)) return;
    ignored.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of nodes) if (node.callFrame.url.includes('cpu-profile-preload')) mark(node.id);
  return ignored;
}

/** Self time per function and per module of a .cpuprofile, idle time left out; the `top` largest of each. */
export function summarizeCpuProfile(subject: string, file: string, top = 12): ProfileSummary {
  const profile = CpuProfile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const callers = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.callFrame] as const)));
  const ignored = profilerOwnNodes(profile.nodes);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const places = new Places();
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byModule = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = frames.get(id);
    if (!frame || frame.functionName === '(idle)' || ignored.has(id)) continue;
    totalUs += us;
    const place = places.of(frame, callers.get(id));
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${place.where || place.module}`;
    const entry = byFunction.get(key) ?? { name, where: place.where || place.module, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    byModule.set(place.module, (byModule.get(place.module) ?? 0) + us);
  }
  const share = (us: number) => (totalUs === 0 ? 0 : us / totalUs);
  return {
    subject,
    file,
    totalMs: totalUs / 1000,
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({ name: entry.name, where: entry.where, selfMs: entry.us / 1000, share: share(entry.us) })),
    topModules: [...byModule.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, us]) => ({ module, selfMs: us / 1000, share: share(us) })),
  };
}
