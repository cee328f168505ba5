/** The results table: one row per figure, project beside baseline, the ratio, and the target. */

export interface Target {
  /** `min`: ratio (or value) must be at least `value`; `max`: at most. */
  bound: 'min' | 'max'
  value: number
  /** Compared with the project/baseline ratio, or with the project's own figure. */
  of: 'ratio' | 'project'
}

export interface Row {
  workload: string
  metric: string
  project?: number
  baseline?: number
  target?: Target
  /** Why the workload failed (lost messages, errors, timeout); a failed row fails the run. */
  failure?: string
}

export function ratio(row: Row): number | undefined {
  if (row.project === undefined || row.baseline === undefined || row.baseline === 0) return undefined
  return row.project / row.baseline
}

/** `true`/`false` when the row has a target and figures to judge it by. */
export function meetsTarget(row: Row): boolean | undefined {
  if (row.target === undefined || row.failure) return undefined
  const value = row.target.of === 'ratio' ? ratio(row) : row.project
  if (value === undefined) return undefined
  return row.target.bound === 'min' ? value >= row.target.value : value <= row.target.value
}

function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—'
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function formatTarget(target: Target | undefined): string {
  if (!target) return ''
  const sign = target.bound === 'min' ? '≥' : '≤'
  return target.of === 'ratio' ? `${sign} ${target.value} × baseline` : `${sign} ${target.value.toLocaleString('en-US')}`
}

/** A Markdown table (it is pasted into the README as is). */
export function formatTable(rows: Row[]): string {
  const lines = ['| workload | metric | project | baseline | ratio | target | |', '|---|---|--:|--:|--:|---|---|']
  for (const row of rows) {
    const r = ratio(row)
    const verdict = row.failure ? `FAILED: ${row.failure}` : ({ true: 'met', false: 'missed', undefined: '' } as const)[`${meetsTarget(row)}`]
    lines.push(
      `| ${row.workload} | ${row.metric} | ${formatNumber(row.project)} | ${formatNumber(row.baseline)} | ${r === undefined ? '' : `${r.toFixed(2)}×`} | ${formatTarget(row.target)} | ${verdict} |`,
    )
  }
  return lines.join('\n')
}
