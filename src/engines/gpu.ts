/**
 * What the browser's WebGPU adapter can do, for the Home page's report and for choosing model
 * builds (q4f16 needs `shader-f16`; q4f32 does not).
 */

export interface GpuReport {
  available: boolean;
  /** Why WebGPU cannot be used, in words a user can act on; set when `available` is false. */
  reason?: string;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Software rendering (SwiftShader): works, but far too slow for real models. */
  software?: boolean;
  shaderF16: boolean;
  features: string[];
  limits: {
    maxBufferSize?: number;
    maxStorageBufferBindingSize?: number;
    maxComputeWorkgroupStorageSize?: number;
    maxComputeInvocationsPerWorkgroup?: number;
  };
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Chrome's fallback (software) adapter. */
  isFallbackAdapter?: boolean;
}

interface AdapterLike {
  features: Iterable<string> & { has(name: string): boolean };
  limits: Record<string, number | undefined>;
  info?: AdapterInfoLike;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}

interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

const unavailable = (reason: string): GpuReport => ({
  available: false,
  reason,
  shaderF16: false,
  features: [],
  limits: {},
});

export async function probeWebGpu(): Promise<GpuReport> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) {
    return unavailable(
      globalThis.isSecureContext === false
        ? 'WebGPU needs a secure context: open the app over https or from localhost.'
        : 'This browser has no WebGPU. Use a recent Chrome or Edge, or the CPU engine (wllama).',
    );
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return unavailable(
      `WebGPU refused an adapter: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!adapter) {
    return unavailable(
      'WebGPU is present but found no usable GPU adapter (it may be blocklisted or disabled). ' +
        'Use the CPU engine (wllama), or enable WebGPU in the browser settings.',
    );
  }
  const info: AdapterInfoLike =
    adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  const features = [...adapter.features].sort();
  const text =
    `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software:
      info.isFallbackAdapter === true || text.includes('swiftshader') || text.includes('llvmpipe'),
    shaderF16: adapter.features.has('shader-f16'),
    features,
    limits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}
