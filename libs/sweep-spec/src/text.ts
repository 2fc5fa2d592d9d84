/** U+0000: PostgreSQL text and jsonb cannot hold it. */
const NUL = /\u0000/;
/** A UTF-16 surrogate not part of a pair: no character, and not encodable as UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Something that shows: not white space, not a control, format (U+200B...) or unassigned code. */
const VISIBLE = /[^\p{White_Space}\p{C}]/u;

/**
 * Why a user-given text cannot be stored or shown, or null when it can: a NUL character, a lone
 * UTF-16 surrogate, or (with `visible`) nothing but white space and invisible characters.
 */
export function textIssue(text: string, options: { visible?: boolean } = {}): string | null {
  if (NUL.test(text)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it holds a lone UTF-16 surrogate)';
  if (options.visible && !VISIBLE.test(text))
    return 'must contain a visible character (not only spaces or invisible characters)';
  return null;
}
