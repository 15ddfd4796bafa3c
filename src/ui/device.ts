/**
 * The device profile the model recommendation reads (engines/recommend.ts), from the capability
 * report and `navigator.deviceMemory` (Chrome and Edge only; other browsers leave it undefined and
 * the recommendation says what it assumed).
 */
import type { DeviceProfile } from '../engines/recommend';
import type { CapabilityReport } from './capabilities';

export function deviceProfile(
  r: Pick<CapabilityReport, 'gpu' | 'cores' | 'storage'>,
): DeviceProfile {
  const memory = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  const { usage, quota } = r.storage;
  return {
    webgpu: r.gpu.available,
    software: r.gpu.software === true,
    shaderF16: r.gpu.shaderF16,
    maxStorageBinding: r.gpu.limits.maxStorageBufferBindingSize,
    deviceMemoryGB: typeof memory === 'number' && memory > 0 ? memory : undefined,
    freeStorageBytes:
      usage !== undefined && quota !== undefined ? Math.max(0, quota - usage) : undefined,
    cores: r.cores,
  };
}
