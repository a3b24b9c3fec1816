export * from './books'
export * from './users'
