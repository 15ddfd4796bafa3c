/**
 * Serves the built site with the cross-origin isolation headers (Vite's preview server), and,
 * given a folder of GGUF files, serves them at `models/` beside the site with the manifest the
 * app reads (`models/models.json`: name, file, bytes, sha256, engine, family, context). Used by
 * `npm start` (scripts/start.mjs) and by the end-to-end test of the offline quick demo, so both
 * run the same server.
 *
 * The model files are sent with CORS and Cross-Origin-Resource-Policy headers, so another copy
 * of Athanor (a student's laptop opening the site elsewhere) can name this host in Settings.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const MODELS_PATH = '/models/';
/** The window a served model loads with unless `--context` says otherwise. */
export const DEFAULT_SERVED_CONTEXT = 4096;

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};
const SHARE = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

async function sha256Of(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * A checksum computed before, when it is still good: the fetch script's `<file>.sha256` stamp or
 * the folder's previous models.json, either written after the file last changed.
 */
function knownSha256(dir, file, bytes, mtimeMs, previous) {
  const stamp = join(dir, `${file}.sha256`);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= mtimeMs) {
    const value = readFileSync(stamp, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(value)) return value;
  }
  const entry = previous?.entries.find((m) => m.file === file && m.bytes === bytes);
  return entry && previous.mtimeMs >= mtimeMs ? entry.sha256 : undefined;
}

/**
 * The manifest for the GGUF files in `dir`, from their headers (src/engines/gguf.ts, the same
 * reader the app uses) and checksums. Files the app would refuse are left out, with the reason.
 */
export async function buildModelManifest(
  dir,
  { context = DEFAULT_SERVED_CONTEXT, log = console.log } = {},
) {
  const { tsImport } = await import('tsx/esm/api');
  const { readGgufHeader, checkTextModel } = await tsImport(
    '../src/engines/gguf.ts',
    import.meta.url,
  );
  const { openAsBlob } = await import('node:fs');
  const manifestPath = join(dir, 'models.json');
  let previous;
  try {
    previous = {
      entries: JSON.parse(readFileSync(manifestPath, 'utf8')).models ?? [],
      mtimeMs: statSync(manifestPath).mtimeMs,
    };
  } catch {
    previous = undefined;
  }
  const models = [];
  const files = readdirSync(dir)
    .filter((f) => /\.gguf$/i.test(f))
    .sort();
  for (const file of files) {
    const path = join(dir, file);
    const { size, mtimeMs } = statSync(path);
    let info;
    try {
      info = await readGgufHeader(await openAsBlob(path), file);
      checkTextModel(info, file);
    } catch (err) {
      log(`  left out ${file}: ${err.message}`);
      continue;
    }
    let sha256 = knownSha256(dir, file, size, mtimeMs, previous);
    if (!sha256) {
      log(`  sha256 of ${file} (${(size / 1e6).toFixed(0)} MB)…`);
      sha256 = await sha256Of(path);
    }
    models.push({
      name:
        info.name && info.name !== info.architecture
          ? `${info.name}${info.quantization ? ` (${info.quantization})` : ''}`
          : file.replace(/\.gguf$/i, ''),
      file,
      bytes: size,
      sha256,
      engine: 'wllama',
      family: info.basename ?? info.architecture,
      context: Math.min(context, info.contextLength ?? context),
    });
  }
  return { format: 'athanor-models', models };
}

/** Connect middleware serving `dir` at /models/ and the manifest at /models/models.json. */
function modelsMiddleware(dir, manifestJson) {
  return (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (!path.startsWith(MODELS_PATH)) return next();
    const headers = { ...ISOLATION, ...SHARE, 'Cache-Control': 'no-cache' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...headers, 'Access-Control-Allow-Methods': 'GET, HEAD' });
      return res.end();
    }
    const name = path.slice(MODELS_PATH.length);
    if (name === 'models.json') {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
      return res.end(manifestJson);
    }
    const file = resolve(dir, name);
    if (!/^[^/\\]+\.gguf$/i.test(name) || !existsSync(file)) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
      res.writeHead(206, {
        ...headers,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(end - start + 1),
        'Content-Range': `bytes ${start}-${end}/${size}`,
      });
      return req.method === 'HEAD' ? res.end() : createReadStream(file, { start, end }).pipe(res);
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
      'Accept-Ranges': 'bytes',
    });
    return req.method === 'HEAD' ? res.end() : createReadStream(file).pipe(res);
  };
}

/**
 * Starts the server on the built site in `root`'s dist folder. With `modelsDir`, writes the
 * manifest beside the models when the folder is writable (so the folder can be copied to any
 * static host as it is) and serves it either way. Returns the Vite preview server and the
 * manifest.
 */
export async function serveSite({
  root,
  port = 4173,
  host = '127.0.0.1',
  modelsDir,
  context,
  log = console.log,
}) {
  const plugins = [];
  let manifest;
  if (modelsDir) {
    const dir = resolve(modelsDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(
        `--models ${modelsDir}: no such folder. Name a folder that holds .gguf files.`,
      );
    log(`Models from ${dir}:`);
    manifest = await buildModelManifest(dir, { context, log });
    const json = JSON.stringify(manifest, null, 2);
    await writeFile(join(dir, 'models.json'), json + '\n').then(
      () => log(`  wrote ${join(dir, 'models.json')}`),
      () => log(`  (the folder is read-only: the manifest is served, not written)`),
    );
    for (const m of manifest.models)
      log(`  ${m.file}: ${m.name}, ${(m.bytes / 1e6).toFixed(0)} MB`);
    if (!manifest.models.length) log('  (no usable .gguf files there)');
    plugins.push({
      name: 'athanor-models-folder',
      configurePreviewServer(server) {
        server.middlewares.use(modelsMiddleware(dir, json));
      },
    });
  }
  const { preview } = await import('vite');
  const server = await preview({
    root,
    plugins,
    preview: { host, port, strictPort: true, open: false },
  });
  return { server, manifest };
}
