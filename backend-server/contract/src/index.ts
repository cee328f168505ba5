export * from './api.js'
export * from './replaceLoneSurrogates.js'
export * from './rules.js'
export * from './board.js'
