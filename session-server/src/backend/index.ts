export type { Backend, BackendFailure, BackendResult } from './Backend.js'
export { HttpBackend } from './HttpBackend.js'
