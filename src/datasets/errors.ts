/**
 * Named errors for everything that can go wrong between a file on disk and tasks in the store.
 * Each message says what happened and what the user can do about it; the page shows it as is.
 */

/** Base class, so callers can tell our errors from bugs with one `instanceof`. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where in a file a record was read from: the file's name and a 1-based line. */
export interface RecordLocation {
  file: string;
  /** 1-based line of the record (for a JSON array: the line where the element starts). */
  line: number;
  /** 0-based position of the record in the file (its index among records). */
  index: number;
}

/** One malformed record: file, line and the field that is wrong. */
export class RecordError extends DatasetError {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  constructor(at: RecordLocation, field: string, reason: string) {
    super(`${at.file}, line ${at.line}, field \`${field}\`: ${reason}`);
    this.file = at.file;
    this.line = at.line;
    this.field = field;
    this.reason = reason;
  }
}

/** The file holds no records at all. */
export class EmptyFileError extends DatasetError {
  constructor(readonly file: string) {
    super(`${file} is empty: there are no task records in it. Pick the dataset file itself.`);
  }
}

/** The file or one of its records is larger than the importer accepts. */
export class TooLargeError extends DatasetError {
  constructor(
    readonly file: string,
    what: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `${file}: ${what} is ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit. ` +
        'Check that this is a task file (not a model or an archive); split very large sets.',
    );
  }
}

/** Bytes that are neither UTF-8 JSON nor gzip, or gzip that does not inflate. */
export class UnreadableFileError extends DatasetError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} cannot be read: ${reason}`);
  }
}

/**
 * Every record failed under the chosen format. When another format fits, the message names it,
 * because a wrong pick in the format menu is the usual cause.
 */
export class WrongFormatError extends DatasetError {
  constructor(
    readonly file: string,
    readonly chosen: string,
    readonly suggested: string | undefined,
    readonly firstError: RecordError | undefined,
  ) {
    super(
      `${file} does not look like ${chosen}: no record could be read as that format` +
        (suggested ? `; it looks like ${suggested} — pick that format instead` : '') +
        (firstError ? ` (first problem: ${firstError.message})` : '') +
        '.',
    );
  }
}

/**
 * Some records are malformed and the user chose all-or-nothing: nothing was stored. The list holds
 * every malformed record so the page can show them.
 */
export class InvalidRecordsError extends DatasetError {
  constructor(
    readonly file: string,
    readonly errors: RecordError[],
    readonly validCount: number,
  ) {
    super(
      `${file}: ${errors.length} malformed record${errors.length === 1 ? '' : 's'} ` +
        `(first: ${errors[0]?.message ?? 'unknown'}). Nothing was imported. ` +
        (validCount > 0
          ? `Fix the file, or import the ${validCount} valid record${validCount === 1 ? '' : 's'} only.`
          : 'No record is valid: fix the file, or check that you picked the right format.'),
    );
  }
}

/** Fetching a dataset from a URL failed (offline, CORS, 404, ...). */
export class DownloadError extends DatasetError {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(
      `Could not download ${url}: ${reason}. If you are offline or the host blocks cross-origin ` +
        'requests, download the file yourself and import it with the file picker.',
    );
  }
}

/** A split request that cannot be honoured (bad ratios, unknown ids, overlapping lists). */
export class SplitError extends DatasetError {}

/** An LLM answer for Prochemy's augmentation that does not follow the documented format. */
export class MutationFormatError extends DatasetError {}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
