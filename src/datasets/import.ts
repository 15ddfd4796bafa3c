/**
 * Importing a dataset file: bytes → records → tasks, with every malformed record reported by file,
 * line and field. Parsing stores nothing; the caller decides, from `ParsedDataset.errors`, whether
 * to keep the valid rest (`commit: 'valid-rest'`) or nothing (`'all-or-nothing'`), and then saves
 * the result in one transaction (src/store/datasets.ts), so a failure never half-imports a file.
 */
import { sha256, stableStringify } from '../core/hash';
import type { Task } from '../core/types';
import { EmptyFileError, InvalidRecordsError, RecordError, WrongFormatError } from './errors';
import { apps } from './formats/apps';
import { athanor } from './formats/athanor';
import type { FormatId, FormatOptions, TaskFormat } from './formats/common';
import { evalplus } from './formats/evalplus';
import { humaneval } from './formats/humaneval';
import { mbpp, mbppSanitized } from './formats/mbpp';
import { decodeBytes, DEFAULT_LIMITS, readRecords, type ReadLimits } from './read';
import { defaultSplit, type Split } from './split';

export type { FormatId, FormatOptions } from './formats/common';

/** Every importer, in the order auto-detection tries them (most specific first). */
export const FORMATS: readonly TaskFormat[] = [
  evalplus,
  humaneval,
  mbppSanitized,
  mbpp,
  apps,
  athanor,
];

export function formatById(id: FormatId): TaskFormat {
  const f = FORMATS.find((x) => x.id === id);
  if (!f) throw new RangeError(`Unknown dataset format ${id}`);
  return f;
}

export interface DatasetFile {
  /** File name as the user picked it; it names the file in every error. */
  name: string;
  bytes: Uint8Array;
  /** Where it was downloaded from, when it was. */
  url?: string;
}

export interface ParseOptions {
  format?: FormatId | 'auto';
  /** Dataset name shown in the app; default: the format's name. */
  name?: string;
  limits?: ReadLimits;
  options?: FormatOptions;
}

export interface ParsedDataset {
  /** Content-derived: the same file with the same options always gets the same id. */
  id: string;
  name: string;
  format: FormatId;
  license: string;
  url?: string;
  file: string;
  /** Records in the file, valid or not. */
  records: number;
  tasks: Task[];
  errors: RecordError[];
  /** The split the dataset gets unless the user makes another. */
  split: Split;
}

export type CommitPolicy = 'valid-rest' | 'all-or-nothing';

/** The tasks to store under `policy`; throws InvalidRecordsError when it says nothing is stored. */
export function tasksToCommit(parsed: ParsedDataset, policy: CommitPolicy): Task[] {
  if (parsed.errors.length > 0 && policy === 'all-or-nothing') {
    throw new InvalidRecordsError(parsed.file, parsed.errors, parsed.tasks.length);
  }
  return parsed.tasks;
}

/** Which format a parsed record looks like, if any. */
export function guessFormat(value: Record<string, unknown>): TaskFormat | undefined {
  return FORMATS.find((f) => f.looksLike(value));
}

export async function parseDataset(
  file: DatasetFile,
  opts: ParseOptions = {},
): Promise<ParsedDataset> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const options = opts.options ?? {};
  const text = await decodeBytes(file.name, file.bytes, limits);
  if (text.trim() === '') throw new EmptyFileError(file.name);
  const { records, header } = readRecords(file.name, text, limits);
  if (records.length === 0) throw new EmptyFileError(file.name);

  const firstObject = records.find((r) => r.value !== undefined)?.value as
    Record<string, unknown> | undefined;
  const guessed = firstObject ? guessFormat(firstObject) : undefined;
  let format: TaskFormat;
  if (!opts.format || opts.format === 'auto') {
    if (!guessed) {
      throw new WrongFormatError(
        file.name,
        'any format Athanor reads',
        undefined,
        records.find((r) => r.error)?.error ??
          (firstObject
            ? new RecordError(
                records[0]!.at,
                '(record)',
                `fields ${Object.keys(firstObject).slice(0, 8).join(', ')} match no known format`,
              )
            : undefined),
      );
    }
    format = guessed;
  } else {
    format = formatById(opts.format);
  }

  const id = `${format.id}-${(await sha256(text + '\u0000' + stableStringify(options))).slice(0, 12)}`;
  const tasks: Task[] = [];
  const errors: RecordError[] = [];
  const seen = new Map<string, number>();
  for (const rec of records) {
    if (rec.error) {
      errors.push(rec.error);
      continue;
    }
    try {
      const task = format.toTask(rec.value as Record<string, unknown>, {
        datasetId: id,
        options,
        at: rec.at,
        raw: rec.raw,
        ...(header ? { header } : {}),
        ...(file.url ? { url: file.url } : {}),
      });
      const dupe = seen.get(task.sourceId);
      if (dupe !== undefined)
        throw new RecordError(
          rec.at,
          'id',
          `duplicate task id ${task.sourceId} (first on line ${dupe})`,
        );
      seen.set(task.sourceId, rec.at.line);
      tasks.push(task);
    } catch (err) {
      if (err instanceof RecordError) errors.push(err);
      else throw err;
    }
  }

  if (tasks.length === 0) {
    const suggested = guessed && guessed.id !== format.id ? guessed.label : undefined;
    if (
      suggested ||
      (errors.length > 0 &&
        errors.every((e) => e.field !== '(record)' && e.field !== '(file)') &&
        !guessed)
    ) {
      throw new WrongFormatError(file.name, format.label, suggested, errors[0]);
    }
    throw new InvalidRecordsError(file.name, errors, 0);
  }

  const headerName = typeof header?.name === 'string' ? header.name : undefined;
  const headerLicense = typeof header?.license === 'string' ? header.license : undefined;
  return {
    id,
    name: opts.name ?? headerName ?? datasetNameFor(format, tasks),
    format: format.id,
    license: headerLicense ?? tasks[0]?.source.license ?? format.license,
    ...(file.url ? { url: file.url } : {}),
    file: file.name,
    records: records.length,
    tasks,
    errors,
    split: defaultSplit(format.id, tasks),
  };
}

function datasetNameFor(format: TaskFormat, tasks: Task[]): string {
  if (format.id === 'evalplus') return tasks[0]?.source.dataset ?? format.defaultName;
  return format.defaultName;
}
