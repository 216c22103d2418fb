import { foldDiacritics } from "../text/fold-diacritics.ts";
import { isQuestionWord } from "../text/question-words.ts";
import { syllables } from "../text/tokenize.ts";

/**
 * Does this question lean on the previous one? "còn GRDP thì sao?", "ai chủ trì việc đó?",
 * "trong nhiệm kỳ nào?": it opens with "còn"/"vậy", points back ("đó", "ấy", "này"), or says too
 * little on its own.
 */
export function isFollowUp(question: string): boolean {
  const lower = question.normalize("NFC").toLowerCase().trim();
  const folded = foldDiacritics(lower);
  if (/^(còn|vậy|thế|thế còn|vậy còn|con|vay|the con|vay con)\s/u.test(lower)) return true;
  if (/\b(thi sao|the nao nua|nua khong)\b/.test(folded)) return true;
  if (/(^|\s)(đó|ấy|này|họ|việc đó|vấn đề này|nội dung này)(\s|\?|$)/u.test(lower)) return true;
  if (/(^|\s)(ong ay|ba ay|viec do|noi dung nay|van de nay)(\s|\?|$)/.test(folded)) return true;
  const content = syllables(question).filter((s) => !isQuestionWord(s));
  return content.length <= 3;
}
