import type { RawData } from 'ws'
import { CLIENT_MESSAGE_TYPES, ClientId, ClientMessage, ErrorCode } from '@scalable-chat/protocol'

export type FrameError = { code: ErrorCode; message: string; clientId?: string; ref?: string }
export type ParsedFrame = { ok: true; message: ClientMessage } | ({ ok: false } & FrameError)

/**
 * The one place an incoming frame is parsed: binary, JSON, message type, then the schema. After
 * this, the rest of the server trusts the `ClientMessage` type.
 */
export function parseClientFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) {
    return { ok: false, code: ErrorCode.BINARY_NOT_SUPPORTED, message: 'frames must be JSON text' }
  }
  let json: unknown
  try {
    json = JSON.parse(rawToString(data))
  } catch {
    return { ok: false, code: ErrorCode.INVALID_JSON, message: 'the frame is not valid JSON' }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: ErrorCode.INVALID_MESSAGE, message: 'a frame must be a JSON object with a "type"' }
  }
  const record = json as Record<string, unknown>
  // Echo the clientId of a refused send so the client knows which of its messages failed.
  const clientId = ClientId.safeParse(record.clientId).success ? (record.clientId as string) : undefined
  const withClientId = clientId === undefined ? {} : { clientId }
  if (typeof record.type !== 'string') {
    return { ok: false, code: ErrorCode.INVALID_MESSAGE, message: 'a frame must have a string "type"', ...withClientId }
  }
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(record.type)) {
    return {
      ok: false,
      code: ErrorCode.UNKNOWN_TYPE,
      message: `unknown type "${record.type.slice(0, 32)}"; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
      ...withClientId,
    }
  }
  const parsed = ClientMessage.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    return { ok: false, code: ErrorCode.INVALID_MESSAGE, message: `${where}${issue?.message ?? 'invalid'}`, ...withClientId }
  }
  return { ok: true, message: parsed.data }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}
