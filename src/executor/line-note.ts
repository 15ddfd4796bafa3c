/**
 * "Type: message (line n)" for an error in the graded program, without saying the line twice:
 * Python's own text for a SyntaxError already ends "(<program>, line 15)".
 */
export function withLine(message: string, line: number): string {
  if (!line) return message;
  if (new RegExp(`\\bline ${line}\\b`).test(message)) return message;
  return `${message} (line ${line})`;
}
