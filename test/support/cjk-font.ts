// Whether this machine has a CJK font for the statement PDF (Debian's fonts-wqy-microhei, or
// LEDGER_PDF_FONT): the PDF tests need one and say they were skipped without it.
import { cjkFont } from '../../src/ledger/statement-document.js';

export const hasCjkFont = ((): boolean => {
  try {
    cjkFont();
    return true;
  } catch {
    return false;
  }
})();
