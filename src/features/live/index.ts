export * from './live.events'
