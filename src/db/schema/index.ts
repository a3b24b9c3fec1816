export * from './books'
export * from './catalog'
export * from './users'
