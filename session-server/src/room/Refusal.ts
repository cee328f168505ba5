import type { CloseCode, ErrorCode } from '@scalable-chat/protocol'

/**
 * An expected refusal, as a value: the caller turns it into an error frame (and a strike), and
 * closes the connection with `close` when there is one.
 */
export type Refusal = { ok: false; code: ErrorCode; message: string; close?: CloseCode }
export type Outcome = { ok: true } | Refusal
