import type { z } from 'zod'
import { HttpError } from './HttpError.js'

/**
 * Validates one piece of a request (body, query or params) against its schema, or throws a 400
 * `invalid_request` whose message names the field: `username: must be at least 3 characters`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw HttpError.badRequest(formatIssues(result.error.issues, what))
}

function formatIssues(issues: readonly z.core.$ZodIssue[], what: string): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : what
      return `${field}: ${describe(issue)}`
    })
    .join('; ')
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required'
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`
  return issue.message
}
