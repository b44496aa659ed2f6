import { z } from "zod";

/**
 * Characters no stored free text may hold: control characters (C0, DEL, C1, which also means no line
 * breaks) and the invisible formatting marks that reorder or disguise what a reader sees (bidi
 * embeddings, overrides and isolates, directional marks, U+2028/U+2029 line and paragraph
 * separators). A comment such as "v3 \u202Eexe.txt" would show in the history and the audit log as
 * something other than what was typed.
 *
 * The rule is to refuse (400), not to strip: stripping silently changes what an admin typed, and a
 * name that differs from what was sent is worse than a clear error.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it forbids
export const FORBIDDEN_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export const FREE_TEXT_MESSAGE = "one line of visible text: no control characters or bidi/direction marks";

export const hasForbiddenText = (s: string): boolean => FORBIDDEN_TEXT.test(s);

/** A free-text string the app stores or shows: at most `max` characters, FORBIDDEN_TEXT refused. */
export const freeText = (max: number, tooLong = `at most ${max} characters`) =>
  z
    .string()
    .max(max, tooLong)
    .refine((s) => !hasForbiddenText(s), FREE_TEXT_MESSAGE);
