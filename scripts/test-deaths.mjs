/**
 * Why a test process died, and whether that death may pass a run (scripts/test.mjs).
 *
 * A test process that dies takes its file's verdict with it. The re-run in scripts/test.mjs tells
 * whether the file passes on its own, but a pass there proves nothing about the death: a crash one
 * run in four passes its re-run three times in four. So a run with a death passes only when every
 * death is explained by an entry below: a known fault of the runtime (not of Athanor), each with
 * its upstream bug. Anything else — a product crash in the Pyodide path, an out-of-memory kill, a
 * native abort, a process killed with no last words — fails the run.
 *
 * The list is empty on purpose. The one runtime fault seen here so far, V8 11.3's
 * "unreachable code" in Deoptimizer::DoComputeBuiltinContinuation when optimized code that
 * inlined a call into Pyodide's WebAssembly is deoptimized (Node 20, about one file in four
 * grading HumanEval+/MBPP+), is worked around in src/executor/node.ts
 * (--no-turbo-inline-js-wasm-calls; 0 deaths in 16 runs since), and no upstream report of it was
 * found to cite. If it comes back, the workaround failed, and the run should say so. An entry
 * needs: what the fault is, its upstream bug (a URL), and patterns that all match the death's
 * last words.
 *
 * @typedef {{ name: string, upstream: string, patterns: RegExp[] }} KnownDeath
 */

/** @type {KnownDeath[]} */
export const KNOWN_DEATHS = [];

/** Lines that begin a process's last words on stderr (V8, Node, Pyodide, the kernel's shell). */
const LAST_WORDS_START = [
  /^#\s*Fatal error\b/, // V8_Fatal / CHECK: "# Fatal error in <file>, line N" then "# <message>"
  /^#\s*Fatal (process|JavaScript) /, // V8 out-of-memory and invalid-size aborts
  /^FATAL ERROR:/, // Node: "FATAL ERROR: Reached heap limit Allocation failed - …"
  /Pyodide has suffered a fatal error/,
  /^\s*(Segmentation fault|Aborted|Bus error|Illegal instruction)\b/,
];
/**
 * Lines that go on a death's last words: V8's '#' frame and message, blank lines, the native
 * stack's header and numbered frames, a JavaScript stack. The first other line ends them.
 */
const LAST_WORDS_GO_ON = /^(#.*|\s*|\s*\d+: .*|-+ .* -+|\s+at .*)$/;
/** At most this many lines per death (the message, then the top of the native stack). */
const LAST_WORDS_LINES = 24;

/**
 * Collects the last words of dying processes from a stream of output lines. `push` each line as
 * it comes; `deaths()` gives one block of text per death.
 */
export function lastWordsCollector() {
  /** @type {string[][]} */
  const blocks = [];
  let open = 0;
  return {
    /** @param {string} line */
    push(line) {
      if (open > 0 && LAST_WORDS_GO_ON.test(line)) {
        blocks.at(-1).push(line);
        open--;
        return;
      }
      open = 0;
      if (LAST_WORDS_START.some((re) => re.test(line))) {
        blocks.push([line]);
        open = LAST_WORDS_LINES;
      }
    },
    /** @returns {string[]} */
    deaths() {
      return blocks.map((b) => b.join('\n'));
    },
  };
}

/**
 * The gist of one death in a line: its first lines that say something, without V8's '#' frames.
 * @param {string} text
 */
export function gist(text) {
  return text
    .split('\n')
    .map((l) => l.replace(/^#\s*/, '').trim())
    .filter((l) => l !== '' && !/^FailureMessage Object/.test(l))
    .slice(0, 3)
    .join(' / ')
    .slice(0, 240);
}

/**
 * Whether the deaths of `died` files are all known runtime faults.
 * @param {number} died how many files' processes died
 * @param {string[]} evidence last words: stderr blocks and the gists of Node's fatal-error reports
 * @param {KnownDeath[]} known the allow-list
 * @returns {{ known: boolean, why: string }}
 */
export function explainDeaths(died, evidence, known = KNOWN_DEATHS) {
  if (died === 0) return { known: true, why: '' };
  if (evidence.length === 0)
    return {
      known: false,
      why:
        'no last words on stderr and no fatal-error report: killed from outside ' +
        '(a signal, the out-of-memory killer) or exited on its own',
    };
  const matched = evidence.map((e) => known.find((k) => k.patterns.every((p) => p.test(e))));
  const parts = evidence.map((e, i) => {
    const k = matched[i];
    return k ? `${k.name} (known runtime fault, ${k.upstream})` : `${gist(e)} (unknown)`;
  });
  // Each death needs its own explanation: one known block cannot vouch for a silent second death.
  const ok = matched.every((k) => k !== undefined) && evidence.length >= died;
  const silent =
    evidence.length < died ? `; ${died - evidence.length} died with no last words` : '';
  return { known: ok, why: parts.join('; ') + silent };
}
