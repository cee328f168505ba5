export type { Backend, BackendFailure, BackendResult, FleetBackend } from './Backend.js'
export { HttpBackend } from './HttpBackend.js'
