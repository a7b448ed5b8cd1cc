// Text the command line prints is data from the log (customer and partner names, reasons), and a
// name is whatever someone once typed: an ESC sequence in it could clear an auditor's screen,
// recolour it, set the terminal's title or move the cursor to write over a figure, and a
// right-to-left override could show "Ltd 0001" as "1000 dtL". Everything printed goes through
// here: C0 and C1 control characters, DEL, the bidi controls and lone surrogates are shown as
// visible escapes (\x1b, \u202e), never sent to the terminal. JSON keeps its values exactly: the
// same characters are written as JSON escapes, which parse back to the recorded text.

/**
 * What is never printed raw: C0 controls (tab and newline are handled by the caller), DEL, C1
 * controls (0x9b is an 8-bit CSI), the bidi marks, embeddings, overrides and isolates, the line
 * and paragraph separators, and unpaired surrogates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(character: string): string {
  const code = character.charCodeAt(0);
  if (character === '\r') return '\\r';
  if (character === '\t') return '\\t';
  if (character === '\n') return '\\n';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value in a table cell or a message: every unsafe character (newlines too) as a visible escape. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Lines of text (a report, a message): newlines kept, everything else unsafe escaped. */
export function safeLines(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' ? c : visible(c)));
}

/** JSON text: the unsafe characters (inside strings, the only place they can be) as \\uXXXX escapes. */
export function safeJson(json: string): string {
  return json.replace(UNSAFE, (c) => (c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
