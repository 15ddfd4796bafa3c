/**
 * The model recommendation on a table of device profiles, against the real catalogue: web-llm's
 * own prebuilt list (the installed version's memory figures) and the wllama GGUF list.
 */
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import {
  WLLAMA_CATALOGUE,
  webLlmCatalogue,
  type CatalogueEntry,
} from '../../src/engines/catalogue';
import { fitOf, recommendModel, whyNone, type DeviceProfile } from '../../src/engines/recommend';

const catalogue = (shaderF16: boolean): CatalogueEntry[] => [
  ...webLlmCatalogue(prebuiltAppConfig.model_list, shaderF16),
  ...WLLAMA_CATALOGUE,
];

const GB = 1024 ** 3;
const roomy = { freeStorageBytes: 50 * GB, cores: 8 };

interface Row {
  name: string;
  profile: DeviceProfile;
  engine: 'webllm' | 'wllama' | undefined;
  id: RegExp | undefined;
  reason: RegExp;
}

const table: Row[] = [
  {
    name: 'no WebGPU',
    profile: { webgpu: false, software: false, shaderF16: false, deviceMemoryGB: 8, ...roomy },
    engine: 'wllama',
    id: /^qwen2\.5-coder-0\.5b/,
    reason: /runs on your CPU \(no WebGPU/,
  },
  {
    name: 'SwiftShader (software WebGPU)',
    profile: {
      webgpu: true,
      software: true,
      shaderF16: true,
      deviceMemoryGB: 8,
      maxStorageBinding: 2 * GB,
      ...roomy,
    },
    engine: 'wllama',
    id: /^qwen2\.5-coder-0\.5b/,
    reason: /software renderer/,
  },
  {
    name: '4 GB GPU with shader-f16',
    profile: {
      webgpu: true,
      software: false,
      shaderF16: true,
      deviceMemoryGB: 4,
      maxStorageBinding: 2 * GB,
      ...roomy,
    },
    engine: 'webllm',
    id: /^Qwen2\.5-Coder-1\.5B-Instruct-q4f16_1-MLC$/,
    reason:
      /^Qwen2\.5 Coder 1\.5B Instruct \(q4f16_1\): fits your GPU; about 8\d\d MB to download\.$/,
  },
  {
    name: '4 GB GPU without shader-f16',
    profile: {
      webgpu: true,
      software: false,
      shaderF16: false,
      deviceMemoryGB: 4,
      maxStorageBinding: 2 * GB,
      ...roomy,
    },
    engine: 'webllm',
    id: /^Qwen2\.5-Coder-1\.5B-Instruct-q4f32_1-MLC$/,
    reason: /q4f32 build/,
  },
  {
    name: '16 GB GPU',
    profile: {
      webgpu: true,
      software: false,
      shaderF16: true,
      deviceMemoryGB: 16,
      maxStorageBinding: 4 * GB,
      ...roomy,
    },
    engine: 'webllm',
    id: /^Qwen2\.5-Coder-3B-Instruct-q4f16_1-MLC$/,
    reason: /fits your GPU.*7B Instruct also fits but is slower/,
  },
  {
    name: 'a GPU that binds small buffers only',
    profile: {
      webgpu: true,
      software: false,
      shaderF16: true,
      deviceMemoryGB: 4,
      maxStorageBinding: 128 * 1024 * 1024,
      ...roomy,
    },
    engine: 'webllm',
    id: /^Qwen2\.5-Coder-0\.5B-Instruct-q4f16_1-MLC$/,
    reason: /fits your GPU/,
  },
  {
    name: 'low storage (600 MB free), 8 GB GPU',
    profile: {
      webgpu: true,
      software: false,
      shaderF16: true,
      deviceMemoryGB: 8,
      maxStorageBinding: 2 * GB,
      freeStorageBytes: 600 * 1024 * 1024,
      cores: 8,
    },
    engine: 'webllm',
    id: /^Qwen2\.5-Coder-0\.5B-Instruct-q4f16_1-MLC$/,
    reason: /about 2\d\d MB to download/,
  },
  {
    name: 'very low storage (100 MB free)',
    profile: {
      webgpu: false,
      software: false,
      shaderF16: false,
      deviceMemoryGB: 8,
      freeStorageBytes: 100 * 1024 * 1024,
      cores: 4,
    },
    engine: undefined,
    id: undefined,
    reason: /No code model fits this device.*100 MB free/,
  },
];

describe('recommendModel on device profiles', () => {
  for (const row of table) {
    it(row.name, () => {
      const list = catalogue(row.profile.shaderF16);
      const rec = recommendModel(list, row.profile);
      expect(rec?.entry.engine).toBe(row.engine);
      if (row.id) expect(rec?.entry.id).toMatch(row.id);
      else expect(rec).toBeUndefined();
      expect(rec ? rec.reason : whyNone(list, row.profile)).toMatch(row.reason);
      // The recommended model must itself fit.
      if (rec) expect(fitOf(rec.entry, row.profile).fits).toBe(true);
    });
  }

  it('says what it assumed when the browser reports no memory or storage', () => {
    const rec = recommendModel(catalogue(true), {
      webgpu: true,
      software: false,
      shaderF16: true,
      cores: 4,
    });
    expect(rec?.assumptions.join(' ')).toMatch(/assumed 4 GB/);
    expect(rec?.assumptions.join(' ')).toMatch(/free storage/);
  });
});

describe('fitOf marks models a device cannot run, with the reason', () => {
  const gpu4: DeviceProfile = {
    webgpu: true,
    software: false,
    shaderF16: true,
    deviceMemoryGB: 4,
    maxStorageBinding: 2 * GB,
    ...roomy,
  };
  const byId = (id: string): CatalogueEntry => {
    const e = catalogue(true).find((x) => x.id === id);
    if (!e) throw new Error(`no ${id} in the catalogue`);
    return e;
  };

  it('a 7B model on a 4 GB device: too much memory, with figures', () => {
    const fit = fitOf(byId('Qwen2.5-Coder-7B-Instruct-q4f16_1-MLC'), gpu4);
    expect(fit.fits).toBe(false);
    expect(fit.reason).toMatch(
      /Needs 5\.0 GB of GPU memory; with 4\.0 GB of RAM Athanor plans on 2\.0 GB/,
    );
  });

  it('a GPU model without WebGPU', () => {
    const fit = fitOf(byId('Qwen2.5-Coder-0.5B-Instruct-q4f16_1-MLC'), { ...gpu4, webgpu: false });
    expect(fit).toEqual({ fits: false, reason: expect.stringMatching(/Needs WebGPU/) });
  });

  it('a q4f16 build on an adapter without shader-f16', () => {
    const fit = fitOf(byId('Qwen2.5-Coder-0.5B-Instruct-q4f16_1-MLC'), {
      ...gpu4,
      shaderF16: false,
    });
    expect(fit).toEqual({ fits: false, reason: 'Needs the GPU feature shader-f16.' });
  });

  it('any model that does not fit in free storage', () => {
    const fit = fitOf(byId('qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'), {
      ...gpu4,
      freeStorageBytes: 1 * GB,
    });
    expect(fit.fits).toBe(false);
    expect(fit.reason).toMatch(/Needs about 1\.0 GB of storage; this browser has 1\.0 GB free/);
  });

  it('runs on SwiftShader, with a warning', () => {
    const fit = fitOf(byId('Qwen2.5-Coder-0.5B-Instruct-q4f16_1-MLC'), { ...gpu4, software: true });
    expect(fit.fits).toBe(true);
    expect(fit.reason).toMatch(/software renderer/);
  });

  it('small models fit a 4 GB device', () => {
    expect(fitOf(byId('Qwen2.5-Coder-1.5B-Instruct-q4f16_1-MLC'), gpu4)).toEqual({
      fits: true,
      reason: '',
    });
  });
});
