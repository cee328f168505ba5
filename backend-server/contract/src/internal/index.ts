export * from './api.js'
export * from './requestId.js'
export * from './secretMatcher.js'
export * from './secretWeakness.js'
