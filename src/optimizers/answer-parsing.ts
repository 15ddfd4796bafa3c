/**
 * Reading a prompt out of an optimizer model's answer. Small models explain before answering,
 * quote the answer format back ("{{new prompt}}"), put braces inside the prompt (JSON examples,
 * f-strings) and write a draft before the final version. The rules: the wrapper's content is
 * read with nested braces kept, an echo of the template's placeholder is no answer, and the last
 * well-formed answer wins.
 */

/**
 * Placeholders the meta-prompts show as the answer format ("{{new prompt}}", "<START> new
 * prompt <END>"), and what models write in their place when they only echo the format
 * (Qwen2.5-Coder-0.5B: "{{python code block}}", "{{new prompt}} {{code}}").
 */
const PLACEHOLDER =
  /^[\s"'`.…]*(?:(?:the|your|a|an|my)\s+)?(?:(?:new|improved|better|final|rewritten|revised|refined|updated|modified)\s+)*(?:prompt|instruction|system prompt|text|(?:python\s+)?code(?:\s+block)?|solution|answer)(?:\s+(?:here|goes here|text))?[\s"'`.…]*$/i;

/** True when `text` is a placeholder echo or an ellipsis rather than a prompt. */
export function isPlaceholderEcho(text: string): boolean {
  const t = text.trim();
  return t === '' || PLACEHOLDER.test(t) || /^[.…\s]+$/.test(t) || /^\[[^\]]*\]$/.test(t);
}

/**
 * Every `{{ … }}` span in order, with single braces inside kept balanced: `{{Return {"a": {"b":
 * 1}} as JSON.}}` is one span whose content holds the whole JSON. A span left open runs to no
 * answer.
 */
export function doubleBraceSpans(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf('{{');
  while (i >= 0) {
    let depth = 0;
    let end = -1;
    for (let j = i + 2; j < text.length; j++) {
      const ch = text[j];
      if (ch === '{') depth++;
      else if (ch === '}') {
        if (depth > 0) depth--;
        else if (text[j + 1] === '}') {
          end = j;
          break;
        }
      }
    }
    if (end < 0) break;
    // `{{{x}}}` reads as `{x}`: swallow a third closing brace that opened inside.
    out.push(text.slice(i + 2, end));
    i = text.indexOf('{{', end + 2);
  }
  return out;
}

/** The last well-formed `{{ … }}` answer (Prochemy's wrapper), or undefined. */
export function parseDoubleBraces(text: string): string | undefined {
  const spans = doubleBraceSpans(text)
    .map((s) => s.trim())
    .filter((s) => !isPlaceholderEcho(s));
  return spans[spans.length - 1];
}

/**
 * The last well-formed answer between `open` and `close` tags, or undefined. A span holding a tag
 * or only "and"/"or" is the format sentence quoted back ("between <START> and <END>"), no answer:
 * Qwen2.5-Coder-0.5B echoed GPO's request inside its tags, and the quoted tags then closed a
 * "prompt" reading "and <END>.".
 */
export function parseTagged(text: string, open: string, close: string): string | undefined {
  let end = text.lastIndexOf(close);
  while (end >= 0) {
    const start = text.lastIndexOf(open, end);
    if (start < 0) return undefined;
    const inner = text.slice(start + open.length, end).trim();
    const quotesFormat =
      inner.includes(open) || inner.includes(close) || /^(and|or|,)?$/i.test(inner);
    if (!quotesFormat && !isPlaceholderEcho(inner)) return inner;
    end = start > 0 ? text.lastIndexOf(close, start - 1) : -1;
  }
  return undefined;
}
