export * from './codes.js'
export * from './handshakeUrl.js'
export * from './messages.js'
