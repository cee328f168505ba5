export * from './FakeHathora.js'
export * from './rawRequest.js'
export * from './startTestBackend.js'
