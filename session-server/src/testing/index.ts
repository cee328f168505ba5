export * from './startTestStack.js'
