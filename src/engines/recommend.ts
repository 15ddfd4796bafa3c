/**
 * Which model this device should use for code, and which catalogue models it cannot run, from
 * what the browser tells us. Pure: the Home and Models pages hand it the capability report.
 *
 * Browsers do not report GPU memory. The one hint is `navigator.deviceMemory` (Chrome: RAM in
 * GB, rounded and capped at 8); integrated GPUs share that RAM, and the browser and the OS need
 * their part, so Athanor plans on half of it for a model. Where the browser says nothing, it
 * plans on 4 GB of RAM and says so.
 */
import type { CatalogueEntry } from './catalogue';

export interface DeviceProfile {
  webgpu: boolean;
  /** The WebGPU adapter is a software renderer (SwiftShader, llvmpipe). */
  software: boolean;
  shaderF16: boolean;
  /** The adapter's maxStorageBufferBindingSize, in bytes, when known. */
  maxStorageBinding?: number;
  /** navigator.deviceMemory in GB, when the browser gives it. */
  deviceMemoryGB?: number;
  /** Free storage (quota − usage), in bytes, when the browser gives it. */
  freeStorageBytes?: number;
  cores: number;
}

export interface Fit {
  fits: boolean;
  /** Why not (or what to expect), in words a user can act on; empty when it simply fits. */
  reason: string;
}

export interface Recommendation {
  entry: CatalogueEntry;
  /** One sentence: which model, and why it suits this device. */
  reason: string;
  /** What the recommendation assumed (no memory report, ...), or empty. */
  assumptions: string[];
}

const ASSUMED_RAM_GB = 4;
/** web-llm builds that are not "low resource" bind storage buffers of up to 1 GiB. */
const FULL_BINDING = 2 ** 30;
/** Leave room in storage for runs and the Python runtime. */
const STORAGE_HEADROOM = 0.8;
/** Bigger models are better coders but slower per call; the lab makes thousands of calls. */
const MAX_RECOMMENDED_PARAMS_B = 3.5;

const GB = 1024 ** 3;
const mb = (bytes: number): number => bytes / (1024 * 1024);
const gb = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} GB`;
const bytesText = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / GB).toFixed(1)} GB` : `${Math.round(mb(bytes))} MB`;

/** Memory Athanor plans on for a model, in MB. */
export function memoryBudgetMB(p: DeviceProfile): number {
  return ((p.deviceMemoryGB ?? ASSUMED_RAM_GB) * 1024) / 2;
}

/** Whether the GPU path is worth taking: WebGPU present and not a software renderer. */
export const realGpu = (p: DeviceProfile): boolean => p.webgpu && !p.software;

/** Can this device run this model, and if not, why not. */
export function fitOf(entry: CatalogueEntry, p: DeviceProfile): Fit {
  if (p.freeStorageBytes !== undefined && entry.downloadBytes > 0) {
    const room = p.freeStorageBytes * STORAGE_HEADROOM;
    if (entry.downloadBytes > room)
      return {
        fits: false,
        reason: `Needs about ${bytesText(entry.downloadBytes)} of storage; this browser has ${bytesText(p.freeStorageBytes)} free. Delete cached models or runs in Settings.`,
      };
  }
  const budget = memoryBudgetMB(p);
  const ram = p.deviceMemoryGB === undefined ? 'assumed ' : '';
  if (entry.engine === 'webllm') {
    if (!p.webgpu)
      return { fits: false, reason: 'Needs WebGPU, which this browser lacks. Use a CPU model.' };
    const missing = entry.requiredFeatures.filter((f) => f !== 'shader-f16' || !p.shaderF16);
    if (missing.length)
      return { fits: false, reason: `Needs the GPU feature ${missing.join(', ')}.` };
    if (
      p.maxStorageBinding !== undefined &&
      p.maxStorageBinding < FULL_BINDING &&
      !entry.lowResource
    )
      return {
        fits: false,
        reason: `This GPU binds buffers of at most ${bytesText(p.maxStorageBinding)}; this build needs 1 GB.`,
      };
    if (entry.memoryMB > budget)
      return {
        fits: false,
        reason: `Needs ${gb(entry.memoryMB / 1024)} of GPU memory; with ${ram}${gb(p.deviceMemoryGB ?? ASSUMED_RAM_GB)} of RAM Athanor plans on ${gb(budget / 1024)}.`,
      };
    if (p.software)
      return {
        fits: true,
        reason: 'Runs, but on a software renderer (SwiftShader): far slower than the CPU engine.',
      };
    return { fits: true, reason: '' };
  }
  // wllama keeps the whole model in wasm memory (at most 4 GB in a 32-bit wasm).
  if (entry.memoryMB > Math.min(budget, 4096))
    return {
      fits: false,
      reason: `Needs ${gb(entry.memoryMB / 1024)} of memory; with ${ram}${gb(p.deviceMemoryGB ?? ASSUMED_RAM_GB)} of RAM Athanor plans on ${gb(Math.min(budget, 4096) / 1024)}.`,
    };
  return { fits: true, reason: '' };
}

function describe(e: CatalogueEntry, where: string): string {
  const name = e.label.includes(e.quantization) ? e.label : `${e.label} (${e.quantization})`;
  return `${name}: ${where}; about ${bytesText(e.downloadBytes)} to download.`;
}

/**
 * One code model for this device, or undefined when none fits (then `whyNone` says why).
 * GPU first when there is a real one: the largest code model that fits, up to 3.5B parameters.
 * Without a real GPU, the smallest CPU code model: on a CPU every parameter costs time per token.
 */
export function recommendModel(
  catalogue: readonly CatalogueEntry[],
  p: DeviceProfile,
): Recommendation | undefined {
  const assumptions: string[] = [];
  if (p.deviceMemoryGB === undefined)
    assumptions.push(
      `The browser does not report its memory; Athanor assumed ${ASSUMED_RAM_GB} GB.`,
    );
  if (p.freeStorageBytes === undefined)
    assumptions.push('The browser does not report free storage; the download may not fit.');
  const code = catalogue.filter((e) => e.kind === 'code');
  const fitting = (engine: CatalogueEntry['engine']): CatalogueEntry[] =>
    code.filter((e) => e.engine === engine && fitOf(e, p).fits);

  if (realGpu(p)) {
    const gpu = fitting('webllm').sort((a, b) => b.paramsB - a.paramsB);
    const pick = gpu.find((e) => e.paramsB <= MAX_RECOMMENDED_PARAMS_B);
    if (pick) {
      const bigger = gpu.find((e) => e.paramsB > pick.paramsB);
      const where = p.shaderF16
        ? 'fits your GPU'
        : 'fits your GPU (no shader-f16 here, so the larger q4f32 build)';
      const note = bigger ? ` ${bigger.label} also fits but is slower per call.` : '';
      return { entry: pick, reason: describe(pick, where) + note, assumptions };
    }
  }
  const cpu = fitting('wllama').sort((a, b) => a.paramsB - b.paramsB);
  const pick = cpu[0];
  if (!pick) return undefined;
  const why = !p.webgpu
    ? 'runs on your CPU (no WebGPU in this browser)'
    : p.software
      ? 'runs on your CPU (your WebGPU adapter is a software renderer, slower than the CPU)'
      : 'runs on your CPU (no GPU model fits this device)';
  return { entry: pick, reason: describe(pick, why), assumptions };
}

/** Why nothing was recommended: the smallest code model's own reason. */
export function whyNone(catalogue: readonly CatalogueEntry[], p: DeviceProfile): string {
  const smallest = catalogue
    .filter((e) => e.kind === 'code')
    .sort((a, b) => a.downloadBytes - b.downloadBytes)[0];
  return smallest
    ? `No code model fits this device. The smallest, ${smallest.label}: ${fitOf(smallest, p).reason}`
    : 'The catalogue has no code model.';
}
