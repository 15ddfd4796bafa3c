/**
 * Run settings as a link: `#/runs/new?method=prochemy&dataset=starter&model=wllama:x.gguf&seeds=1
 * &samples=1&maxCalls=60&maxMinutes=15&k.variants=2`. A teacher prepares a demo once and shares
 * the link; New run opens with the same settings filled in. Values are checked where they are
 * used (knobs by the method's own reader when the run is created), so a hand-edited link cannot
 * start a run with nonsense, only fill the form.
 */
import type { KnobValue } from '../core/types';

export interface RunLink {
  method?: string;
  datasetId?: string;
  /** `engine:modelId`, as New run's model select names a model. */
  modelKey?: string;
  seeds?: number[];
  samples?: number;
  maxCalls?: number;
  maxMinutes?: number;
  /** Grade only the first N tasks of the held-out split (the quick demo's short report). */
  heldout?: number;
  knobs: Record<string, KnobValue>;
}

const KNOB = 'k.';

export function runLinkQuery(link: RunLink): string {
  const q = new URLSearchParams();
  if (link.method) q.set('method', link.method);
  if (link.datasetId) q.set('dataset', link.datasetId);
  if (link.modelKey) q.set('model', link.modelKey);
  if (link.seeds?.length) q.set('seeds', link.seeds.join(','));
  if (link.samples !== undefined) q.set('samples', String(link.samples));
  if (link.maxCalls !== undefined) q.set('maxCalls', String(link.maxCalls));
  if (link.maxMinutes !== undefined) q.set('maxMinutes', String(link.maxMinutes));
  if (link.heldout !== undefined) q.set('heldout', String(link.heldout));
  for (const [name, value] of Object.entries(link.knobs)) q.set(KNOB + name, String(value));
  return q.toString();
}

/** The absolute link to New run with these settings, from this page's address. */
export function runLinkUrl(link: RunLink, base: string): string {
  const url = new URL(base);
  url.hash = `#/runs/new?${runLinkQuery(link)}`;
  return url.href;
}

const wholeNumber = (text: string | null): number | undefined => {
  if (text === null || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text);
};

const knobValue = (text: string): KnobValue => {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
};

/** The settings in a hash such as `#/runs/new?method=…`; undefined when it carries none. */
export function parseRunLink(hash: string): RunLink | undefined {
  const at = hash.indexOf('?');
  if (at < 0) return undefined;
  const q = new URLSearchParams(hash.slice(at + 1));
  const seeds = q
    .get('seeds')
    ?.split(',')
    .map((s) => wholeNumber(s))
    .filter((s): s is number => s !== undefined);
  const knobs: Record<string, KnobValue> = {};
  for (const [key, value] of q)
    if (key.startsWith(KNOB)) knobs[key.slice(KNOB.length)] = knobValue(value);
  return {
    method: q.get('method') ?? undefined,
    datasetId: q.get('dataset') ?? undefined,
    modelKey: q.get('model') ?? undefined,
    seeds: seeds?.length ? seeds : undefined,
    samples: wholeNumber(q.get('samples')),
    maxCalls: wholeNumber(q.get('maxCalls')),
    maxMinutes: wholeNumber(q.get('maxMinutes')),
    heldout: wholeNumber(q.get('heldout')) || undefined,
    knobs,
  };
}
