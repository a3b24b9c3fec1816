// Bindings for running the app in-process from a script (the published document, the client check): fresh keys
// and a pepper that protect nothing, never the ones in .dev.vars.
import { exportJWK, generateKeyPair } from 'jose'

export async function throwawayEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = `throwaway-${crypto.randomUUID()}`
  return {
    ENVIRONMENT: 'development',
    JWT_ISSUER: 'http://localhost:8787',
    JWT_AUDIENCE: 'folio-api',
    JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }),
    JWT_PUBLIC_JWKS: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] }),
    PASSWORD_PEPPER: crypto.randomUUID(),
    ...overrides,
  }
}
