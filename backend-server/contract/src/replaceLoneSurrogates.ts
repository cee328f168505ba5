/** A UTF-16 surrogate without its other half (JSON can carry one as `"\ud800"`). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * The text with every lone surrogate replaced by U+FFFD: one is not text and cannot be stored as
 * UTF-8. Shared by room names here and message text in the session servers
 * (`@scalable-chat/backend-contract`).
 *
 * @example replaceLoneSurrogates('a\ud800b') // 'a\ufffdb'
 */
export function replaceLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd')
}
