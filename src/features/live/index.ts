export { ASYNCAPI_VERSION, asyncApiDocument } from './live.asyncapi'
export * from './live.events'
