import { ErrorCode } from '@scalable-chat/protocol/codes'
import type { Refusal } from './connection/chatReducer.js'

const TEXT: Partial<Record<string, string>> = {
  [ErrorCode.MESSAGE_TOO_LONG]: 'Too long to send',
  [ErrorCode.EMPTY_MESSAGE]: 'Empty messages are not sent',
  [ErrorCode.RATE_LIMITED]: 'Sending too fast, try again in a moment',
  [ErrorCode.UNAVAILABLE]: 'Could not be stored, try again',
  [ErrorCode.STALE_UPDATE]: 'Someone changed that shape just before you; their change was kept',
  [ErrorCode.SHAPE_NOT_FOUND]: 'Someone erased that shape',
  [ErrorCode.SHAPE_EXISTS]: 'That shape is on the board already',
  [ErrorCode.BOARD_FULL]: 'The board is full: erase something to draw more',
  [ErrorCode.NOT_AUTHOR]: 'Only its author can change that message',
  [ErrorCode.MESSAGE_DELETED]: 'That message was deleted',
  [ErrorCode.MESSAGE_NOT_FOUND]: 'That message is not in this room',
  [ErrorCode.TOO_MANY_REACTIONS]: 'That message has as many different reactions as it can hold',
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
