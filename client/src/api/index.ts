export { ApiError, NETWORK_ERROR, isApiError } from './ApiError.js'
export { createApiClient, type ApiClient, type ApiClientOptions } from './createApiClient.js'
export { api } from './api.js'
