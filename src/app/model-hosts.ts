/**
 * Models offered by a static host: the site's own `models/models.json` (beside the build, e.g.
 * `npm start -- --models DIR` on a teacher's laptop) and, when Settings names one, another static
 * server that serves such a manifest with CORS. Each entry names a GGUF file beside the manifest,
 * its size and its sha256, which the download checks (app/device-models.ts). docs/models.md says
 * how to host one.
 */
import * as v from 'valibot';
import { db } from '../store/db';

export const MANIFEST_FORMAT = 'athanor-models';
const HOST_KEY = 'modelHost';

const Entry = v.object({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  file: v.pipe(
    v.string(),
    v.regex(/^[^/\\?#]+\.gguf$/i, 'a .gguf file name beside the manifest, without a folder'),
  ),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(1)),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')),
  engine: v.picklist(['wllama'], 'must be "wllama" (GGUF files run on the CPU engine)'),
  family: v.optional(v.pipe(v.string(), v.maxLength(200))),
  context: v.optional(v.pipe(v.number(), v.integer(), v.minValue(64))),
});

const Manifest = v.object({
  format: v.optional(v.literal(MANIFEST_FORMAT)),
  models: v.pipe(v.array(Entry), v.maxLength(500)),
});

export type ManifestEntry = v.InferOutput<typeof Entry>;

export interface HostModel extends ManifestEntry {
  /** The file's absolute URL. */
  url: string;
  /** The manifest it came from. */
  manifest: string;
  /** `site`: this site's own models folder; `setting`: the host named in Settings. */
  origin: 'site' | 'setting';
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  /** True when the host simply has no manifest there (404, or a web page in its place). */
  constructor(
    message: string,
    readonly absent = false,
  ) {
    super(message);
  }
}

/** The manifest's URL for a host: a manifest URL as given, else `<host>/models.json`. */
export function manifestUrl(host: string, base = globalThis.location?.href): string {
  const url = new URL(host.trim(), base);
  if (!url.pathname.endsWith('.json')) url.pathname = url.pathname.replace(/\/?$/, '/models.json');
  return url.href;
}

/** This site's own manifest: `models/models.json` beside the build. */
export const siteManifestUrl = (): string =>
  new URL('models/models.json', globalThis.document?.baseURI ?? globalThis.location.href).href;

/**
 * Reads and checks a manifest. Throws ManifestError in words: unreachable (offline, or no CORS),
 * not found, not JSON, or which entry and field is wrong.
 */
export async function readManifest(
  url: string,
  origin: HostModel['origin'],
  fetchFn: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<HostModel[]> {
  let res: Response;
  try {
    res = await fetchFn(url, { cache: 'no-cache', signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ManifestError(
      `Could not reach the model host at ${url}: the browser got no answer (the host is down, the address is wrong, or the host does not send CORS headers). Check the address; the host must send Access-Control-Allow-Origin (docs/models.md, "Hosting models for a room").`,
    );
  }
  if (res.status === 404)
    throw new ManifestError(
      `The model host has no manifest at ${url} (404). Serve a models.json there (npm start -- --models DIR writes one).`,
      true,
    );
  if (!res.ok)
    throw new ManifestError(
      `The model host answered ${res.status} for ${url}. Check that it is up and serves the folder.`,
    );
  // Single-page hosts answer unknown paths with their index page.
  if (/text\/html/i.test(res.headers.get('content-type') ?? ''))
    throw new ManifestError(
      `The model host answered ${url} with a web page, not a manifest. Check the address names the models folder or its models.json.`,
      true,
    );
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new ManifestError(
      `${url} is not JSON, so it is not a models manifest. Check the address names the models folder or its models.json.`,
    );
  }
  const parsed = v.safeParse(Manifest, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue) ?? '(the whole file)';
    throw new ManifestError(
      `The manifest ${url} is not valid: at ${path}, ${issue.message}. Write it again (npm start -- --models DIR writes a valid one).`,
    );
  }
  return parsed.output.models.map((m) => ({
    ...m,
    url: new URL(m.file, url).href,
    manifest: url,
    origin,
  }));
}

/** The host named in Settings, if any. */
export async function modelHostSetting(): Promise<string | undefined> {
  const value = (await db().settings.get(HOST_KEY))?.value;
  return typeof value === 'string' && value ? value : undefined;
}

/** Checks the host's manifest, then keeps it (empty: forget the host). Returns its models. */
export async function setModelHost(host: string): Promise<HostModel[]> {
  const trimmed = host.trim();
  if (!trimmed) {
    await db().settings.delete(HOST_KEY);
    return [];
  }
  let url: string;
  try {
    url = manifestUrl(trimmed);
  } catch {
    throw new ManifestError(
      `"${trimmed}" is not an address. Give one like http://192.168.1.20:8080/models/.`,
    );
  }
  const models = await readManifest(url, 'setting');
  await db().settings.put({ key: HOST_KEY, value: url });
  return models;
}

export interface HostListing {
  models: HostModel[];
  /** Why a host's manifest could not be read (the site's own missing manifest is not a problem). */
  problems: string[];
}

/** The models on this site's host first, then on the host named in Settings. */
export async function listHostModels(signal?: AbortSignal): Promise<HostListing> {
  const problems: string[] = [];
  const models: HostModel[] = [];
  try {
    models.push(...(await readManifest(siteManifestUrl(), 'site', fetch, signal)));
  } catch (err) {
    // Most sites carry no models folder: a 404 there is normal, anything else is worth saying.
    if (signal?.aborted) throw err;
    if (!(err instanceof ManifestError && err.absent))
      problems.push(err instanceof Error ? err.message : String(err));
  }
  const setting = await modelHostSetting();
  if (setting && setting !== siteManifestUrl()) {
    try {
      models.push(...(await readManifest(setting, 'setting', fetch, signal)));
    } catch (err) {
      if (signal?.aborted) throw err;
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { models, problems };
}
