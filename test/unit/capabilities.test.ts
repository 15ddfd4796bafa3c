import { describe, expect, it } from 'vitest';
import { findingsFor, formatBytes } from '../../src/ui/capabilities';
import type { GpuReport } from '../../src/engines/gpu';

const gpu = (over: Partial<GpuReport>): GpuReport => ({
  available: true,
  shaderF16: true,
  features: [],
  limits: {},
  ...over,
});

const base = {
  isolated: true,
  sharedArrayBuffer: true,
  cores: 8,
  storage: { available: true, usage: 1e6, quota: 50e9, persisted: true },
};

const byId = (findings: ReturnType<typeof findingsFor>) =>
  Object.fromEntries(findings.map((f) => [f.id, f]));

describe('capability findings', () => {
  it('is all green on a capable machine', () => {
    const f = findingsFor({ ...base, gpu: gpu({ vendor: 'nvidia', architecture: 'ampere' }) });
    expect(f.every((x) => x.level === 'ok')).toBe(true);
    expect(f.every((x) => x.advice === '')).toBe(true);
  });

  it('sends users without WebGPU to the CPU engine', () => {
    const f = byId(
      findingsFor({
        ...base,
        gpu: { available: false, reason: 'No WebGPU.', shaderF16: false, features: [], limits: {} },
      }),
    );
    expect(f.webgpu?.level).toBe('warn');
    expect(f.webgpu?.advice).toMatch(/CPU engine \(wllama\)/);
    expect(f['shader-f16']).toBeUndefined();
  });

  it('explains missing shader-f16, software adapters, missing isolation and few cores', () => {
    const f = byId(
      findingsFor({
        ...base,
        isolated: false,
        sharedArrayBuffer: false,
        cores: 2,
        gpu: gpu({
          shaderF16: false,
          software: true,
          vendor: 'google',
          architecture: 'swiftshader',
        }),
      }),
    );
    expect(f['shader-f16']?.advice).toMatch(/q4f32/);
    expect(f.webgpu?.advice).toMatch(/software renderer/);
    expect(f.isolation?.advice).toMatch(/restarting its Python worker/);
    expect(f.cores?.advice).toMatch(/1 Python worker/);
  });

  it('warns when storage is nearly full or not persisted', () => {
    const f = byId(
      findingsFor({
        ...base,
        gpu: gpu({}),
        storage: { available: true, usage: 9e9, quota: 10e9, persisted: false },
      }),
    );
    expect(f.storage?.level).toBe('warn');
    expect(f.persistence?.level).toBe('warn');
  });

  it('formats byte counts for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GB');
    expect(formatBytes(undefined)).toBe('unknown');
  });
});
