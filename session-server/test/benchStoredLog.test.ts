// The storm benchmark's check of a stored log: CI's smoke run fails on what it finds, and only on that.
import { describe, expect, it } from 'vitest'
import { logProblems } from '../bench/storedLog.js'

const ack = (clientId: string, seq: number) => ({ roomId: 'r', clientId, seq, at: 0 })

describe('logProblems', () => {
  it('finds nothing in a gapless log holding every acknowledged message at its seq', () => {
    const stored = [{ seq: 1, clientId: 'a' }, { seq: 2, clientId: 'b' }, { seq: 3, clientId: 'c' }]
    // `c` was stored but its acknowledgement was lost with the connection: not a problem.
    expect(logProblems('r', stored, [ack('a', 1), ack('b', 2)])).toEqual([])
  })

  it('reports a gap in the seqs', () => {
    expect(logProblems('r', [{ seq: 1, clientId: 'a' }, { seq: 3, clientId: 'b' }], [])).toEqual([
      'r: stored message 2 has seq 3 (a gap or a repeat)',
    ])
  })

  it('reports a message stored twice, even if never acknowledged', () => {
    expect(logProblems('r', [{ seq: 1, clientId: 'a' }, { seq: 2, clientId: 'a' }], [])).toEqual(['r: a stored twice (seqs 1 and 2)'])
  })

  it('reports an acknowledged message that is missing or stored at another seq', () => {
    expect(logProblems('r', [{ seq: 1, clientId: 'a' }], [ack('a', 2), ack('b', 3)])).toEqual([
      'r: a was acknowledged as seq 2, stored as 1',
      'r: b was acknowledged (seq 3) and is not stored',
    ])
  })
})
