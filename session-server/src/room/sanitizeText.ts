import { replaceLoneSurrogates } from '@scalable-chat/backend-contract'

/** C0 and C1 control characters except tab (\u0009) and line feed (\u000a). */
const UNWANTED_CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/**
 * Message text as it is stored: control characters removed (they break terminals and can hide
 * content), except newlines and tabs, which people type on purpose; lone surrogates, which are
 * not text and cannot be stored as UTF-8, replaced by U+FFFD; then trimmed.
 */
export function sanitizeText(text: string): string {
  return replaceLoneSurrogates(text.replace(UNWANTED_CONTROL_CHARS, '')).trim()
}
