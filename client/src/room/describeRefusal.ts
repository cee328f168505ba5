import { ErrorCode } from '@scalable-chat/protocol/codes'
import type { Refusal } from './connection/chatReducer.js'

const TEXT: Partial<Record<string, string>> = {
  [ErrorCode.MESSAGE_TOO_LONG]: 'Too long to send',
  [ErrorCode.EMPTY_MESSAGE]: 'Empty messages are not sent',
  [ErrorCode.RATE_LIMITED]: 'Sending too fast, try again in a moment',
  [ErrorCode.UNAVAILABLE]: 'Could not be stored, try again',
}

/**
 * A refusal from the session server in the clients' own words (the web app's and the terminal's);
 * for a code without words of its own, the server's message.
 *
 * @example describeRefusal({ code: 'rate_limited', message: 'too many messages; slow down' }) // 'Sending too fast, try again in a moment'
 */
export function describeRefusal(refusal: Refusal): string {
  return TEXT[refusal.code] ?? refusal.message
}
