// Poppler's pdftotext, where the machine has it (Debian's poppler-utils): the PDF tests read a
// statement's text with it, and check less (or skip) without it.
import { execFileSync } from 'node:child_process';

export const hasPdfToText = ((): boolean => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The text of a PDF file laid out as on the page (pdftotext -layout). */
export const pdfText = (file: string): string => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
