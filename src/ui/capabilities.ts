/**
 * The capability report on Home: what this browser gives Athanor, and what each gap means for
 * the user, in words they can act on.
 */
import { probeWebGpu, type GpuReport } from '../engines/gpu';
import { chooseThreadsFor } from '../engines/threads';

export type Level = 'ok' | 'warn' | 'bad';

export interface Finding {
  id: string;
  label: string;
  value: string;
  level: Level;
  /** What it means for the user and what to do; empty when all is well. */
  advice: string;
}

export interface CapabilityReport {
  gpu: GpuReport;
  isolated: boolean;
  sharedArrayBuffer: boolean;
  cores: number;
  storage: { usage?: number; quota?: number; persisted?: boolean; available: boolean };
  findings: Finding[];
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

async function probeStorage(): Promise<CapabilityReport['storage']> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) return { available: false };
  const [estimate, persisted] = await Promise.all([
    storage.estimate().catch(() => ({}) as StorageEstimate),
    storage.persisted ? storage.persisted().catch(() => false) : Promise.resolve(false),
  ]);
  return { available: true, usage: estimate.usage, quota: estimate.quota, persisted };
}

export function findingsFor(r: Omit<CapabilityReport, 'findings'>): Finding[] {
  const out: Finding[] = [];
  const g = r.gpu;
  if (!g.available) {
    out.push({
      id: 'webgpu',
      label: 'WebGPU',
      value: 'not available',
      level: 'warn',
      advice: `${g.reason ?? ''} Models run on the CPU engine (wllama) instead: slower, but everything else works.`,
    });
  } else {
    const name =
      [g.vendor, g.architecture, g.description].filter(Boolean).join(' · ') || 'unnamed adapter';
    out.push({
      id: 'webgpu',
      label: 'WebGPU',
      value: name,
      level: g.software ? 'warn' : 'ok',
      advice: g.software
        ? 'This adapter is a software renderer (SwiftShader): WebGPU works but real models will be very slow. Prefer the CPU engine (wllama) or a machine with a GPU.'
        : '',
    });
    out.push({
      id: 'shader-f16',
      label: 'shader-f16',
      value: g.shaderF16 ? 'supported' : 'not supported',
      level: g.shaderF16 ? 'ok' : 'warn',
      advice: g.shaderF16
        ? ''
        : 'Half-precision shaders are missing, so Athanor picks q4f32 model builds: about 20–40% more memory and download than q4f16.',
    });
  }
  out.push({
    id: 'isolation',
    label: 'Cross-origin isolation',
    value: r.isolated ? 'on' : 'off',
    level: r.isolated ? 'ok' : 'warn',
    advice: r.isolated
      ? ''
      : 'Without isolation a runaway program is stopped by restarting its Python worker (about 2 s) instead of an instant interrupt, and wllama runs on one thread. Reload once; if it stays off, the host or browser blocks the service worker.',
  });
  out.push({
    id: 'sab',
    label: 'SharedArrayBuffer',
    value: r.sharedArrayBuffer ? 'available' : 'unavailable',
    level: r.sharedArrayBuffer ? 'ok' : 'warn',
    advice: r.sharedArrayBuffer
      ? ''
      : 'Needed for instant interrupts of generated code; it comes with cross-origin isolation.',
  });
  const threads = chooseThreadsFor(r.cores, r.isolated);
  out.push({
    id: 'cores',
    label: 'CPU cores',
    value: String(r.cores),
    level: r.cores >= 4 ? 'ok' : 'warn',
    advice:
      r.cores >= 4
        ? ''
        : `With ${r.cores} cores Athanor grades code on ${Math.max(1, r.cores - 1)} Python worker(s) and the CPU engine uses ${threads === 1 ? 'one thread' : `${threads} threads`}; runs are slower but correct.`,
  });
  const s = r.storage;
  if (!s.available) {
    out.push({
      id: 'storage',
      label: 'Storage',
      value: 'unknown',
      level: 'bad',
      advice:
        'This browser does not report storage. Runs are kept in IndexedDB; private windows may lose them when closed.',
    });
  } else {
    const free = s.quota !== undefined && s.usage !== undefined ? s.quota - s.usage : undefined;
    out.push({
      id: 'storage',
      label: 'Storage',
      value: `${formatBytes(s.usage)} used of ${formatBytes(s.quota)}`,
      level: free !== undefined && free < 2 * 1024 ** 3 ? 'warn' : 'ok',
      advice:
        free !== undefined && free < 2 * 1024 ** 3
          ? 'Less than 2 GB free: a model download may not fit. Delete cached models or runs in Settings.'
          : '',
    });
    out.push({
      id: 'persistence',
      label: 'Persistent storage',
      value: s.persisted ? 'granted' : 'not granted',
      level: s.persisted ? 'ok' : 'warn',
      advice: s.persisted
        ? ''
        : 'The browser may evict runs and downloaded models when space runs low. Athanor asks for persistence when you start a run; bookmarking or installing the app makes it likelier to be granted.',
    });
  }
  return out;
}

export async function probeCapabilities(): Promise<CapabilityReport> {
  const [gpu, storage] = await Promise.all([probeWebGpu(), probeStorage()]);
  const base = {
    gpu,
    isolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    cores: navigator.hardwareConcurrency || 1,
    storage,
  };
  return { ...base, findings: findingsFor(base) };
}
