/**
 * A last word after Vitest's own summary: which files did not pass, which of their tests failed,
 * and which files started but never ended (a test process that died takes its file's report with
 * it). CI keeps only the tail of a run's output, so this is what must be there when a run goes red.
 *
 * Under CI a skipped test fails the run: suites that need data, a model or a browser must fail
 * there, never skip, and a skip that slipped in would otherwise pass unseen.
 *
 * With ATHANOR_RUN_SUMMARY set, it also writes there which files failed and which files' test
 * process died, for scripts/test.mjs (see `RunSummary`).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import type { SerializedError } from 'vitest';

const MAX_FAILED_TESTS_PER_FILE = 5;
const PROCESS_DIED = /Worker exited unexpectedly/;

/** What scripts/test.mjs reads back. */
export interface RunSummary {
  /** Files with a failed test or a file-level error: a verdict. */
  failed: string[];
  /** Files whose test process died under them, with no test of theirs failed: no verdict. */
  died: string[];
  /** Unhandled errors other than a test process dying. */
  otherErrors: number;
  /** Tests skipped under CI (each one fails the run). */
  skippedUnderCi: string[];
  /** The gist of each fatal-error report a dying test process wrote (its last words). */
  fatalReports: string[];
}
const MAX_STACK_FRAMES = 12;

interface NodeReport {
  header?: { event?: string; trigger?: string; commandLine?: string[]; threadId?: number };
  javascriptStack?: { message?: string; stack?: string[] };
  nativeStack?: { symbol?: string }[];
}

/**
 * The gist of each report a test process wrote as it died (vitest.config.ts sets the directory):
 * lines to print, and the same as one text for scripts/test.mjs to match against known faults.
 */
function fatalReports(): string[][] {
  const dir = process.env.ATHANOR_NODE_REPORT_DIR;
  if (!dir) return [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((f) => {
    try {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as NodeReport;
      const js = r.javascriptStack?.stack?.slice(0, MAX_STACK_FRAMES) ?? [];
      const native = (r.nativeStack ?? []).slice(0, MAX_STACK_FRAMES).map((n) => n.symbol ?? '?');
      return [
        `  a test process died: ${r.header?.event ?? '?'} (${r.header?.trigger ?? '?'}, thread ${r.header?.threadId ?? '?'}); report ${join(dir, f)}`,
        `    js: ${r.javascriptStack?.message ?? ''}`,
        ...js.map((l) => `      ${l.trim()}`),
        '    native:',
        ...native.map((l) => `      ${l}`),
      ];
    } catch (e) {
      return [`  a test process left an unreadable report ${f}: ${String(e)}`];
    }
  });
}

/** CI as test/support/paths.ts reads it: set to any non-empty value. */
const underCi = (): boolean => Boolean(process.env.CI);

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0]!.slice(0, 200);
}

export default class RunSummaryReporter implements Reporter {
  private readonly started = new Map<string, number>();
  private readonly ended = new Set<string>();
  private runStart = Date.now();
  /** Set when the run was asked for some tests by name: the others are skipped on purpose. */
  private namePattern = false;

  onInit(vitest: Vitest): void {
    this.namePattern = vitest.config.testNamePattern !== undefined;
  }

  onTestRunStart(): void {
    this.runStart = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    this.ended.add(module.moduleId);
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const lines: string[] = [];
    const summary: RunSummary = {
      failed: [],
      died: [],
      otherErrors: 0,
      skippedUnderCi: [],
      fatalReports: [],
    };
    const at = (id: string) => {
      const t = this.started.get(id);
      return t === undefined
        ? 'never started'
        : `started at +${((t - this.runStart) / 1000).toFixed(0)} s`;
    };
    const name = (m: TestModule) => `[${m.project.name}] ${m.relativeModuleId}`;
    for (const m of modules) {
      const state = m.state();
      if (underCi() && !this.namePattern)
        for (const t of m.children.allTests())
          if (t.result().state === 'skipped')
            summary.skippedUnderCi.push(`${name(m)} > ${t.fullName}`);
      if (state === 'passed' || state === 'skipped') continue;
      const ended = this.ended.has(m.moduleId) ? 'ended' : 'did not end';
      lines.push(`  ${name(m)}: ${state}, ${at(m.moduleId)}, ${ended}`);
      for (const e of m.errors()) lines.push(`    file error: ${firstLine(e.message)}`);
      const failed = [...m.children.allTests()].filter((t) => t.result().state !== 'passed');
      const verdict = m.errors().length > 0 || failed.some((t) => t.result().state === 'failed');
      (verdict || this.ended.has(m.moduleId) ? summary.failed : summary.died).push(m.moduleId);
      for (const t of failed.slice(0, MAX_FAILED_TESTS_PER_FILE)) {
        const r = t.result();
        const why = r.state === 'failed' ? firstLine(r.errors[0]?.message) : r.state;
        lines.push(`    ✗ ${t.fullName}: ${why}`);
      }
      if (failed.length > MAX_FAILED_TESTS_PER_FILE)
        lines.push(`    … and ${failed.length - MAX_FAILED_TESTS_PER_FILE} more`);
    }
    const unended = [...this.started.keys()].filter((id) => !this.ended.has(id));
    for (const id of unended) {
      if (modules.some((m) => m.moduleId === id)) continue;
      lines.push(`  ${id}: ${at(id)}, did not end`);
      summary.died.push(id);
    }
    for (const e of unhandledErrors) {
      // Vitest tags an error with the file and test it came from when it knows them.
      const where = [e.VITEST_TEST_PATH, e.VITEST_TEST_NAME].filter(Boolean).join(' > ');
      const cause = (e.cause as SerializedError | undefined)?.message;
      if (!PROCESS_DIED.test(cause ?? '') && !PROCESS_DIED.test(e.message)) summary.otherErrors++;
      lines.push(
        `  unhandled: ${firstLine(e.message)}${cause ? ` (${firstLine(cause)})` : ''}${where ? ` in ${where}` : ''}`,
      );
    }
    if (summary.skippedUnderCi.length > 0) {
      // Vitest would exit 0: the reporter's word is the only one that can fail this run.
      process.exitCode = 1;
      lines.push(
        `  ${summary.skippedUnderCi.length} test(s) skipped under CI (CI must never skip):`,
      );
      for (const t of summary.skippedUnderCi.slice(0, 20)) lines.push(`    skipped: ${t}`);
      if (summary.skippedUnderCi.length > 20)
        lines.push(`    … and ${summary.skippedUnderCi.length - 20} more`);
    }
    for (const report of fatalReports()) {
      lines.push(...report);
      summary.fatalReports.push(report.join('\n'));
    }
    const out = process.env.ATHANOR_RUN_SUMMARY;
    if (out) writeFileSync(out, JSON.stringify(summary));
    if (lines.length === 0) return;
    console.log(`\nRun ended (${reason}). What did not pass:\n${lines.join('\n')}\n`);
  }
}
