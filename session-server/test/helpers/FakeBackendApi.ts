import { EMPTY_BOARD, REACTION_RULE, type Board, type ChatMessage, type MessageChange } from '@scalable-chat/backend-contract'
import { applyChange } from '@scalable-chat/backend-contract/changes'
import { createPublicKey } from 'node:crypto'
import {
  roomTokenKeyId,
  type CommitRequest,
  type CommitResponse,
  type CommitResult,
  type NewEntry,
  type LoadRoomResponse,
  type ReadRequest,
  type RoomTokenKeyResponse,
  type SaveBoardRequest,
  type SeenMember,
  type SeenRequest,
} from '@scalable-chat/backend-contract/internal'
import { TEST_ROOM_TOKEN_PUBLIC_KEY } from '@scalable-chat/backend-server/testing'
import type { BackendApi, BackendFailure, BackendResult } from '../../src/backendApi/BackendApi.js'

/**
 * An in-memory stand-in for the backend's internal API, for room unit tests: stores commits with
 * gapless seqs, de-duplicates by (userId, clientId) and checks changes (target, author, deleted,
 * emoji limit) like the real one. Tests can queue
 * failures, or hold commits until they release them.
 */
export class FakeBackendApi implements BackendApi {
  /** The messages as they are now. */
  readonly stored: ChatMessage[] = []
  /** Every change stored, in seq order. */
  readonly changes: MessageChange[] = []
  readonly commits: CommitRequest[] = []
  readonly releases: Array<{ roomId: string; epoch: number }> = []
  /** Answers for the next commits, before storing resumes. */
  readonly failures: BackendFailure[] = []
  /** The board as last saved, and every save. */
  board: Board = EMPTY_BOARD
  readonly boardSaves: SaveBoardRequest[] = []
  /** Answers for the next board saves, before saving resumes. */
  readonly boardFailures: BackendFailure[] = []
  /** Members `loadRoom` answers, and every report of when members were last seen. */
  members: SeenMember[] = []
  readonly seenReports: Array<{ roomId: string } & SeenRequest> = []
  /** Every report of how far members have read, and answers for the next ones before they are taken again. */
  readonly readReports: Array<{ roomId: string } & ReadRequest> = []
  readonly readFailures: BackendFailure[] = []
  /** The placement epoch `loadRoom` answers (a test re-places the room by raising it). */
  epoch = 1
  private held: Array<() => void> | undefined

  constructor(initial: ChatMessage[] = []) {
    this.stored.push(...initial)
  }

  /** The latest seq stored (tests may push messages into `stored` themselves). */
  get seq(): number {
    return Math.max(this.stored.at(-1)?.seq ?? 0, this.changes.at(-1)?.seq ?? 0)
  }

  /** Commits wait until `release()` is called. */
  hold(): void {
    this.held ??= []
  }

  releaseHeld(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const resume of held) resume()
  }

  get heldCount(): number {
    return this.held?.length ?? 0
  }

  async reportSeen(roomId: string, request: SeenRequest): Promise<BackendResult<void>> {
    this.seenReports.push({ roomId, ...request })
    return { ok: true, value: undefined }
  }

  async saveReads(roomId: string, request: ReadRequest): Promise<BackendResult<void>> {
    this.readReports.push({ roomId, ...structuredClone(request) })
    const failure = this.readFailures.shift()
    if (failure) return failure
    if (request.epoch !== this.epoch) return { ok: false, reason: 'moved' }
    return { ok: true, value: undefined }
  }

  async loadRoom(roomId: string): Promise<BackendResult<LoadRoomResponse>> {
    return {
      ok: true,
      value: {
        room: { id: roomId, name: 'Room', ownerId: 'owner' },
        epoch: this.epoch,
        seq: this.seq,
        ...this.log(),
        board: this.board,
        members: this.members,
      },
    }
  }

  /** The log as a room loads with it: the latest 100 messages, and every change after the oldest of them. */
  log(): Pick<LoadRoomResponse, 'messages' | 'changes' | 'logFrom'> {
    const messages = this.stored.slice(-100)
    const logFrom = this.stored.length > 100 ? messages[0]!.seq - 1 : 0
    return { messages, changes: this.changes.filter((c) => c.seq > logFrom), logFrom }
  }

  async commit(_roomId: string, request: CommitRequest): Promise<BackendResult<CommitResponse>> {
    this.commits.push(structuredClone(request))
    if (this.held) await new Promise<void>((resume) => this.held?.push(resume))
    const failure = this.failures.shift()
    if (failure) return failure
    if (request.afterSeq !== this.seq) return { ok: false, reason: 'moved' }
    const results = request.entries.map((entry) => this.store(entry))
    return { ok: true, value: { results, seq: this.seq } }
  }

  private store(entry: NewEntry): CommitResult {
    const original = this.stored.find((s) => s.userId === entry.userId && s.clientId === entry.clientId)
    if (original) return { message: original }
    const originalChange = this.changes.find((c) => c.userId === entry.userId && c.clientId === entry.clientId)
    if (originalChange) return { change: originalChange }
    const { kind, ...fields } = entry
    if (kind === 'message') {
      const message: ChatMessage = { ...fields, text: entry.text, seq: this.seq + 1 }
      this.stored.push(message)
      return { message }
    }
    const index = this.stored.findIndex((m) => m.seq === entry.target)
    const target = this.stored[index]
    if (!target) return { refused: 'message_not_found' }
    if (target.deleted) return { refused: 'message_deleted' }
    if (entry.kind !== 'react' && target.userId !== entry.userId) return { refused: 'not_author' }
    const reactions = target.reactions ?? []
    if (entry.kind === 'react' && entry.on && !reactions.some((r) => r.emoji === entry.emoji) && reactions.length >= REACTION_RULE.maxPerMessage) {
      return { refused: 'too_many_reactions' }
    }
    const { kind: _kind, ...change } = { ...entry, seq: this.seq + 1 }
    const stored = { ...change, kind: entry.kind } as MessageChange
    this.changes.push(stored)
    this.stored[index] = applyChange(target, stored)
    return { change: stored }
  }

  async saveBoard(_roomId: string, request: SaveBoardRequest): Promise<BackendResult<void>> {
    this.boardSaves.push(structuredClone(request))
    const failure = this.boardFailures.shift()
    if (failure) return failure
    if (request.epoch !== this.epoch) return { ok: false, reason: 'moved' }
    this.board = structuredClone(request.board)
    return { ok: true, value: undefined }
  }

  async release(roomId: string, _host: string, epoch: number): Promise<BackendResult<void>> {
    this.releases.push({ roomId, epoch })
    return { ok: true, value: undefined }
  }

  async register(): Promise<BackendResult<void>> {
    return { ok: true, value: undefined }
  }

  async roomTokenKey(): Promise<BackendResult<RoomTokenKeyResponse>> {
    const key = createPublicKey(TEST_ROOM_TOKEN_PUBLIC_KEY)
    return { ok: true, value: { keyId: roomTokenKeyId(key), publicKey: TEST_ROOM_TOKEN_PUBLIC_KEY } }
  }
}

export function storedMessages(count: number, userId = 'u-old'): ChatMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    id: crypto.randomUUID(),
    userId,
    username: userId,
    text: `old ${i + 1}`,
    clientId: `old-${i + 1}`,
    createdAt: new Date(0).toISOString(),
  }))
}
